import { buildProgram, runProgram } from './program.ts';

process.exitCode = await runProgram(buildProgram(), process.argv);
