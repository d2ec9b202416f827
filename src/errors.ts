/** A broken invocation: a missing path, an unknown option. The CLI prints it and exits 2. */
export class UsageError extends Error {}

/** A config file that cannot be read or does not validate. The CLI prints it and exits 2. */
export class ConfigError extends Error {}
