/**
 * The message for an exception that is not one of matdiff's own errors, labelled by
 * what really failed: an allocation the machine refused (a typed array of 1e10 entries)
 * is out of memory, a call stack that overflowed is input nested too deeply, and only
 * the rest is a matdiff bug to report.
 */

const ALLOCATION =
  /Array buffer allocation failed|Invalid typed array length|Invalid array length|Invalid string length|out of memory/i;
const STACK = /Maximum call stack size exceeded|too much recursion/i;

export function unexpectedErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError && STACK.test(message))
    return 'error[E002]: the input is nested too deeply to process (the call stack overflowed)';
  if ((e instanceof RangeError || e instanceof Error) && ALLOCATION.test(message))
    return (
      `error[E046]: out of memory: an allocation failed (${message}). The sizes are too large for this machine: ` +
      'use smaller sizes (--dims, the data), or set a lower --max-memory to be told the largest value first'
    );
  return `error[E030]: matdiff bug: ${message} (please report it; set MATDIFF_DEBUG=1 for details)`;
}
