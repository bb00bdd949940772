// Small collectors the tests share: a body read whole, and a debug-log sink that keeps what it is given.

/** Reads an async iterable of chunks (a download, a raw body) to one Buffer. */
export async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A debug-log sink (`enableDebug(sink)`) that keeps what the log writes; `text()` is all of it. */
export function collector(): { write(text: string, cb?: (e?: Error | null) => void): boolean; text(): string } {
  const chunks: string[] = [];
  return {
    write(text, cb) {
      chunks.push(text);
      cb?.();
      return true;
    },
    text: () => chunks.join(""),
  };
}
