import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger, type DestinationStream, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LogOptions {
  /** JSON lines go here (one file per run); omitted: no file. */
  file?: string;
  /** Level for the terminal; the file always gets `debug` and up. */
  level?: string;
  /** Force terminal output off (tests) or on. Default: readable lines on stderr. */
  terminal?: boolean;
}

/**
 * The logger: JSON lines to the run's log file for cron and for later reading, readable lines
 * on stderr for a person. On a terminal that is `info`; without one (cron) only warnings, so an
 * unwatched run mails nothing unless something needs a look.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const streams: StreamEntry[] = [];
  const tty = process.stderr.isTTY === true;
  if (options.terminal ?? true) {
    const level = (options.level ?? (tty ? 'info' : 'warn')) as pino.Level;
    const stream = pretty({
      destination: 2,
      sync: true,
      colorize: tty,
      ignore: 'pid,hostname,run',
      translateTime: 'SYS:HH:MM:ss',
      singleLine: true,
    }) as DestinationStream;
    streams.push({ level, stream });
  }
  if (options.file) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    streams.push({ level: 'debug', stream: pino.destination({ dest: options.file, sync: true }) });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  return pino({ level: 'debug', base: undefined }, pino.multistream(streams));
}

/** A logger that says nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
