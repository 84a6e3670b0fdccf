/** `--of NAME` and `--wrt W,b` as the library's options. */
import type { SelectOptions } from '../api.js';
import { type Args, flag } from './args.js';

export function selectOptions(args: Args): SelectOptions {
  const wrt = flag(args, 'wrt');
  return { of: flag(args, 'of'), wrt: wrt === undefined ? undefined : wrt.split(',') };
}
