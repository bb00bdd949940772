// Lint: typed rules (no-floating-promises above all: the hook pipeline is async),
// plus the layering rules of docs/ARCHITECTURE.md: only src/http talks to the network modules,
// the transport and the utilities import nothing from the base, production code never imports
// the test kit, and reference drivers use nothing but the package's public entry points.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const networkModules = ["node:http", "node:https", "node:net", "node:tls", "undici", "http", "https", "net", "tls"];
const networkPaths = (message) => networkModules.map((name) => ({ name, message }));
/** Production code never imports the test kit (src/test), statically or (test/layering.test.ts) dynamically. */
const noTestKit = { regex: "^(\\./|(\\.\\./)+)test/", message: "Production code never imports the test kit (src/test); the kit registers what it provides." };
/** The transport and the utilities sit below the base (src/common/base). */
const noBase = (who) => ({ regex: "^(\\.\\./)+common/base/", message: `${who} nothing from the base (src/common/base): settings are in src/common/settings.ts, HTTPResponse in src/http.` });

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "eslint.config.js", "scripts/**", "tmp/**", "docs/api/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // Relaxed for tests, the bench and the demo; src/ turns them back on below.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/only-throw-error": "off",
      "@typescript-eslint/prefer-promise-reject-errors": "off",
    },
  },
  {
    // No any in the library (issue 12 §1): its declarations are what consumers type-check against.
    files: ["src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unsafe-assignment": "error",
      "@typescript-eslint/no-unsafe-member-access": "error",
      "@typescript-eslint/no-unsafe-call": "error",
      "@typescript-eslint/no-unsafe-argument": "error",
      "@typescript-eslint/no-unsafe-return": "error",
    },
  },
  // Layering (docs/ARCHITECTURE.md "Layers"). A later block replaces an earlier one's
  // no-restricted-imports for the same file, so each block lists all that applies to its files.
  // test/layering.test.ts holds the same rules for dynamic import() too.
  {
    files: ["src/**/*.ts"],
    ignores: ["src/http/**", "src/utils/**", "src/test/**", "src/storage/drivers/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: networkPaths("Only src/http/ talks to the network (docs/STYLE.md)."), patterns: [noTestKit] }],
    },
  },
  {
    files: ["src/test/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: networkPaths("Only src/http/ talks to the network (docs/STYLE.md).") }],
    },
  },
  {
    files: ["src/http/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [noBase("The transport imports"), noTestKit] }],
    },
  },
  {
    files: ["src/utils/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: networkPaths("Only src/http/ talks to the network (docs/STYLE.md)."), patterns: [noBase("Utilities import"), noTestKit] }],
    },
  },
  {
    files: ["src/storage/drivers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: networkPaths("Drivers use only the public API."),
        patterns: [
          { regex: "^\\.\\./\\.\\./(common|http|utils)/", message: "Drivers import only from the package's public entry points (src/index.ts, src/storage/base)." },
          noTestKit,
        ],
      }],
    },
  },
  {
    // Type tests state expressions only to see whether they type-check.
    files: ["test/types/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "demo/**/*.ts", "examples/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/unbound-method": "off",
      // node:test's test()/describe() return promises that the runner itself awaits.
      "@typescript-eslint/no-floating-promises": ["error", {
        allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite", "before", "after", "beforeEach", "afterEach"] }],
      }],
    },
  },
);
