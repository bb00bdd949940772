// Lint: typed rules (no-floating-promises above all: the hook pipeline is async),
// plus the layering rule of docs/STYLE.md: only src/http talks to the network modules,
// and reference drivers use nothing but the package's public entry points.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const networkModules = ["node:http", "node:https", "node:net", "node:tls", "undici", "http", "https", "net", "tls"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "eslint.config.js", "scripts/**", "tmp/**", "docs/api/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
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
    files: ["src/**/*.ts"],
    ignores: ["src/http/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: networkModules.map((name) => ({ name, message: "Only src/http/ talks to the network (docs/STYLE.md)." })) }],
    },
  },
  {
    files: ["src/storage/drivers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: networkModules.map((name) => ({ name, message: "Drivers use only the public API." })),
        patterns: [{ regex: "^\\.\\./\\.\\./(common|http|utils)/", message: "Drivers import only from the package's public entry points (src/index.ts, src/storage/base)." }],
      }],
    },
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
