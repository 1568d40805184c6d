/**
 * A benchmark's arguments parsed by `parse`, or undefined when it should stop: after `--help` (the usage
 * printed), or after a bad argument (what is wrong and the usage printed, exit code 2).
 */
export function argsOrUsage<T>(usage: string, parse: (argv: string[]) => T): T | undefined {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(usage);
    return undefined;
  }
  try {
    return parse(argv);
  } catch (error) {
    console.error((error as Error).message);
    console.error(usage);
    process.exitCode = 2;
    return undefined;
  }
}
