/**
 * Which files of a package never run in its replicas, judged by their path inside the package:
 * tests and what serves them, and tooling (scripts, migrations, examples, tool configs). The model
 * (is a package a service?) and the service's code split (`scope.ts`) ask the same questions here.
 */

/** Folders that never run in a replica, even when production code imports them (test helpers re-exported for plugin authors, vendored tools). */
const TEST_DIR = /(?:^|\/)(?:tests?|specs?|__tests__|__mocks__|__fixtures__|mocks?|mock-[\w-]+|e2e|(?:test[-_])?fixtures|cypress|playwright|stories|\.storybook|\.yarn)\//i;
/**
 * Folders that do not run in a replica unless the server imports them: scripts, migrations,
 * examples, demos, docs, benchmarks, and packaging for other platforms (a Snap, a Sandstorm grain).
 */
const TOOLING_DIR = /(?:^|\/)(?:scripts?|migrations?|seeds?|seeders|storybook|examples?|demos?|docs?|benchmarks?|bench|tools|snap(?:-src)?|sandstorm(?:-src)?|flatpak)\//i;
/** Folders of the static files a server hands to browsers (`express.static('public')`). */
const STATIC_DIR = /(?:^|\/)(?:public|static)\//i;
/** A test suite in a file of its own name (`test.js` next to the app it tests, `api.integration.ts`)... */
const SUITE_FILE = /(?:(?:^|\/)(?:test|tests|spec)|\.integration)\.[cm]?[jt]sx?$/i;
/** ...that imports a test library. */
const TEST_LIB = /^(?:supertest|should|chai|chai-http|mocha|sinon|nock|tap|ava|jest|@jest\/globals|vitest|uvu|(?:node:|bun:)?test|(?:node:)?assert(?:\/strict)?)(?:\/|$)/;
/**
 * Files that do not run in a replica unless the server imports them: mocks, stories, fixtures,
 * tool configs, and development entry points (`dev.ts`, `develop.ts`, `dev-server.js`).
 */
const TOOLING_FILE =
  /(?:\.(?:mocks?|stories|story|fixtures?|config|conf)\.[cm]?[jt]sx?|(?:^|\/)(?:jest|vitest|webpack|vite|rollup|babel|eslint|prettier|tailwind|postcss|next|nuxt|karma|gulpfile|gruntfile|setupTests)[\w.-]*\.[cm]?[jt]sx?|(?:^|\/)(?:dev|develop|development)(?:[-.]?server)?\.[cm]?[jt]sx?)$/i;
/** Package names (or folders) of test code and tooling: `integration-tests`, `@acme/test-utils`, `e2e`, `release-tools`. */
const TOOLING_PACKAGE = /(?:^|[-_.])(?:tests?|e2e|specs?|test-?utils|test-?helpers|test-?support|testkit|tools|tooling)$/i;
/** `Dockerfile.dev`, `test.Dockerfile`: images for a laptop or CI, not for the cluster. */
const DEV_DOCKERFILE = /(?:^|[.-])(?:dev|develop|development|local|test|tests|e2e|cypress|ci)(?:[.-]|$)/i;

/**
 * A file's path inside the package in `folder` (both as printed, `.` for the working directory), or
 * undefined when it is not inside. Judged inside the package, so a project that itself lives under a
 * `test/` folder is not all test code.
 */
export function insidePackage(file: string, folder: string): string | undefined {
  if (folder === '.') return file;
  return file.startsWith(folder + '/') ? file.slice(folder.length + 1) : undefined;
}

/** Test code: under `test/`, `__tests__/`, `e2e/`, `cypress/`, `fixtures/`, ... (any case), given the path inside its package. */
export function isTestPath(rel: string): boolean {
  return TEST_DIR.test(rel);
}

/**
 * Browser files a server hands out (under `public/` or `static/`): part of a replica only when the
 * server imports them. A server started from such a folder is still a server.
 */
export function isStaticAsset(rel: string): boolean {
  return STATIC_DIR.test(rel);
}

/**
 * A test suite named `test.js` (or `tests.ts`, `spec.js`, `*.integration.ts`) that imports a test library: never an
 * entry point of a replica, and part of one only when the server imports it. A route module named
 * `test.js` imports no test library, and stays what the server makes of it.
 */
export function isTestSuite(rel: string, imports: readonly { module: string }[]): boolean {
  return SUITE_FILE.test(rel) && imports.some((i) => TEST_LIB.test(i.module));
}

/** Test code or tooling: never an entry point of a replica, and part of one only when the server imports it. */
export function isTestOrTooling(rel: string): boolean {
  return TEST_DIR.test(rel) || TOOLING_DIR.test(rel) || TOOLING_FILE.test(rel);
}

/**
 * Is the whole package test code or tooling, by its name or its folder: `integration-tests/`,
 * `@acme/test-utils`, `e2e`, `wekan-migration-tools`? Its servers are then no replicas.
 */
export function isTestOrToolingPackage(name: string | undefined, folder: string): boolean {
  const base = folder === '.' ? undefined : folder.slice(folder.lastIndexOf('/') + 1);
  return [name?.replace(/^@[^/]+\//, ''), base].some((n) => !!n && TOOLING_PACKAGE.test(n));
}

/** Does the package build an image for the cluster (a Dockerfile not named for development or CI)? Then it runs in replicas, whatever its name says. */
export function buildsImage(pkg: { dockerfiles: readonly { file: string }[] }): boolean {
  return pkg.dockerfiles.some((d) => !isDevDockerfile(d.file));
}

/** Is this Dockerfile (by its path) one for development or CI rather than the cluster? */
export function isDevDockerfile(file: string): boolean {
  return DEV_DOCKERFILE.test(file.slice(file.lastIndexOf('/') + 1));
}
