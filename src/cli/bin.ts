#!/usr/bin/env node
/** The executable behind `npx matdiff`. */
import { main } from './main.js';
import { colourErrors, wantColour } from './colour.js';

// A reader that closes the pipe early (`matdiff run … | head -c 150`) ends matdiff quietly,
// with status 0 for the part written.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });

const { code, out, err } = await main(process.argv.slice(2));
if (out) process.stdout.write(out.endsWith('\n') ? out : out + '\n');
if (err) {
  const text = wantColour(process.stderr, process.env) ? colourErrors(err) : err;
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}
process.exitCode = code;
