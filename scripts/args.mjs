import { parseArgs } from 'node:util';

/**
 * The command line, read by node:util's parseArgs in strict mode: an unknown flag (a typo such as
 * `--chek`) or a stray argument ends the script with the message and its usage, exit code 2, before
 * it does anything.
 */
export function readArgs(usage, { options = {}, allowPositionals = false } = {}, args = process.argv.slice(2)) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    console.error(`${error.message}\nUsage: ${usage}`);
    process.exit(2);
  }
}
