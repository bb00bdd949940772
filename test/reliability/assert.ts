// Shared assertions of the reliability suite (docs/RELIABILITY.md conventions 1 and 3): a typed error
// with a stable code, and no secret anywhere in what an error shows.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { LibcloudError } from "../../src/index.js";

/** Asserts `error` is a `cls` with `code` (when given), and returns it typed. */
export function assertTyped<T>(error: unknown, cls: abstract new (...args: any[]) => T, code?: string | RegExp): T {
  assert.ok(error instanceof cls, `expected ${cls.name}, got ${inspect(error, { depth: 1 }).slice(0, 600)}`);
  assert.ok(error instanceof LibcloudError, "every transport error is a LibcloudError");
  if (code !== undefined) {
    const actual = (error as { code?: unknown }).code;
    if (typeof code === "string") assert.equal(actual, code);
    else assert.match(String(actual), code);
  }
  return error;
}

/** Every rendering of an error, its cause chain included. */
export function renderings(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let i = 0; i < 6 && e !== undefined && e !== null; i++) {
    const err = e as Error;
    parts.push(String(err.message), String(err.stack), inspect(err, { depth: 5, showHidden: false }), safeStringify(err), String(err));
    e = (err as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** Asserts that none of `secrets` appears in the error's message, stack, inspect, JSON or causes. */
export function assertNoSecret(error: unknown, secrets: readonly string[]): void {
  const text = renderings(error);
  for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${JSON.stringify(secret)} leaked: ${text.slice(0, 400)}`);
}

/** Runs `fn`, which must reject; returns the rejection. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/** Asserts a message names the method and host. */
export function assertNamesSite(error: unknown, method: string, host: string): void {
  const message = (error as Error).message;
  assert.ok(message.includes(method) && message.includes(host), `message should name ${method} and ${host}: ${message}`);
}
