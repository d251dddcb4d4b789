// Everything recon writes (the database and its key, run folders, worklists, ledgers, exports)
// is for the office's service account and its group, never for every account on the machine:
// files 0640, folders 0750. Set before any module is loaded, so before anything is written.
process.umask(0o027);

const { buildProgram, runProgram } = await import('./program.ts');

process.exitCode = await runProgram(buildProgram(), process.argv);
