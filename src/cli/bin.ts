#!/usr/bin/env node
/** The executable behind `npx matdiff`. */
import { main } from './main.js';

const { code, out, err } = await main(process.argv.slice(2));
if (out) process.stdout.write(out.endsWith('\n') ? out : out + '\n');
if (err) process.stderr.write(err.endsWith('\n') ? err : err + '\n');
process.exitCode = code;
