// A full disk at the file layer, for the fault tests: `node --import <this file> src/cli/bin.js run ...`
// with RECON_TEST_ENOSPC=<regex>: every write to a file whose path matches fails with ENOSPC once
// RECON_TEST_ENOSPC_AFTER bytes (default 0) went into that file, the way a disk fills up mid-file.
// It patches the `fs` module object, which the project, exceljs, pino and Node's streams all call.
import fs from 'node:fs';

const pattern = process.env.RECON_TEST_ENOSPC ? new RegExp(process.env.RECON_TEST_ENOSPC) : undefined;
const allowance = Number(process.env.RECON_TEST_ENOSPC_AFTER ?? 0);

if (pattern) {
  const tracked = new Map(); // fd -> bytes written
  const matches = (p) => typeof p === 'string' && pattern.test(p.split('\\').join('/'));
  const full = (what) => Object.assign(new Error(`ENOSPC: no space left on device, ${what}`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  const size = (data, length) => (typeof length === 'number' ? length : typeof data === 'string' ? Buffer.byteLength(data) : (data?.byteLength ?? 0));
  const over = (fd, bytes) => {
    if (!tracked.has(fd)) return false;
    const total = tracked.get(fd) + bytes;
    if (total > allowance) return true;
    tracked.set(fd, total);
    return false;
  };

  const { openSync, open, closeSync, close, writeSync, write, writev, writeFileSync, appendFileSync, copyFileSync } = fs;
  fs.openSync = (p, ...rest) => {
    const fd = openSync.call(fs, p, ...rest);
    if (matches(p)) tracked.set(fd, 0);
    return fd;
  };
  fs.open = (p, ...rest) => {
    const cb = rest.pop();
    return open.call(fs, p, ...rest, (err, fd) => {
      if (!err && matches(p)) tracked.set(fd, 0);
      cb(err, fd);
    });
  };
  fs.closeSync = (fd) => {
    tracked.delete(fd);
    return closeSync.call(fs, fd);
  };
  fs.close = (fd, ...rest) => {
    tracked.delete(fd);
    return close.call(fs, fd, ...rest);
  };
  fs.writeSync = (fd, data, ...rest) => {
    if (over(fd, size(data, typeof rest[1] === 'number' && typeof data !== 'string' ? rest[1] : undefined))) throw full('write');
    return writeSync.call(fs, fd, data, ...rest);
  };
  fs.write = (fd, data, ...rest) => {
    const cb = rest[rest.length - 1];
    if (over(fd, size(data, typeof rest[1] === 'number' && typeof data !== 'string' ? rest[1] : undefined))) return process.nextTick(cb, full('write'));
    return write.call(fs, fd, data, ...rest);
  };
  fs.writev = (fd, buffers, ...rest) => {
    const cb = rest[rest.length - 1];
    if (
      over(
        fd,
        buffers.reduce((n, b) => n + b.byteLength, 0),
      )
    )
      return process.nextTick(cb, full('writev'));
    return writev.call(fs, fd, buffers, ...rest);
  };
  fs.writeFileSync = (p, data, ...rest) => {
    if (matches(p) && size(data) > allowance) {
      writeFileSync.call(fs, p, typeof data === 'string' ? Buffer.from(data).subarray(0, allowance) : Buffer.from(data).subarray(0, allowance));
      throw full(`write '${p}'`);
    }
    return writeFileSync.call(fs, p, data, ...rest);
  };
  fs.appendFileSync = (p, data, ...rest) => {
    if (matches(p)) throw full(`write '${p}'`);
    return appendFileSync.call(fs, p, data, ...rest);
  };
  fs.copyFileSync = (src, dest, ...rest) => {
    if (matches(dest)) {
      writeFileSync.call(fs, dest, Buffer.alloc(Math.min(allowance, 4096)));
      throw full(`copyfile '${src}' -> '${dest}'`);
    }
    return copyFileSync.call(fs, src, dest, ...rest);
  };
}
