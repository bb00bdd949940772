// Strict playback of recorded fixtures: the base of the MockHttp subclasses that recording generates
// (libcloud has hand-written fixtures only; this replays a recorded session in order).
import { FileFixtures } from "./file-fixtures.js";
import { MockHttp, MockHttpError, type MockResponse } from "./mock-http.js";

/** One recorded response, as the generated source lists it. */
export interface RecordedResponse {
  /** HTTP method of the recorded request. */
  readonly method: string;
  /** Path and query of the recorded request (secrets redacted); for reading, not matched. */
  readonly url: string;
  /** The recorded HTTP status. */
  readonly status: number;
  /** The recorded reason phrase. */
  readonly reason: string;
  /** The recorded response headers (secrets redacted). */
  readonly headers: Readonly<Record<string, string>>;
  /** Fixture file holding the body, or null for an empty body. */
  readonly fixture: string | null;
  /** Load the fixture as bytes (a binary body). */
  readonly binary?: boolean;
  /** The caller did not read the whole body while recording: the fixture holds its start only. */
  readonly partial?: boolean;
}

/** Thrown when a replayed session departs from the recording. */
export class PlaybackError extends MockHttpError {
  /** The class name, `"PlaybackError"`. */
  override readonly name = "PlaybackError";
}

const consumed = new WeakMap<object, Map<string, number>>();

function counters(cls: object): Map<string, number> {
  let m = consumed.get(cls);
  if (m === undefined) {
    m = new Map();
    consumed.set(cls, m);
  }
  return m;
}

/**
 * A MockHttp that replays a recorded session strictly: each mock method answers its recorded
 * responses in order, a request of another HTTP method or one past the recording fails, and
 * {@link PlaybackMockHttp.unusedFixtures} reports what was never replayed.
 */
export class PlaybackMockHttp extends MockHttp {
  /** Where the recorded bodies are. */
  static fixtures: FileFixtures | null = null;
  /** Recorded responses by mock method name, in the order they were received. */
  static recorded: Readonly<Record<string, readonly RecordedResponse[]>> = {};

  /** Clears the history and the replay position. */
  static override reset(): void {
    super.reset();
    consumed.delete(this);
  }

  /** Recorded responses never replayed, as `name #n METHOD url (fixture)` lines. */
  static unusedFixtures(): string[] {
    const used = counters(this);
    const out: string[] = [];
    for (const [name, list] of Object.entries(this.recorded)) {
      list.slice(used.get(name) ?? 0).forEach((r, i) => {
        out.push(`${name} #${(used.get(name) ?? 0) + i + 1} ${r.method} ${r.url}${r.fixture === null ? "" : ` (${r.fixture})`}`);
      });
    }
    return out;
  }

  /** Fails, listing them, when some recorded responses were never replayed. */
  static assertAllUsed(): void {
    const unused = this.unusedFixtures();
    if (unused.length > 0) throw new PlaybackError(`${this.name}: ${unused.length} recorded response(s) never replayed:\n  ${unused.join("\n  ")}`, "", Object.keys(this.recorded));
  }

  /** Answers with the next recorded response for `name` (generated methods call this). */
  replay(name: string, method: string, url: string): MockResponse {
    const cls = this.constructor as typeof PlaybackMockHttp;
    const list = cls.recorded[name];
    const known = Object.keys(cls.recorded);
    if (list === undefined) throw new PlaybackError(`${cls.name}: nothing recorded for "${name}" (${method} ${url}); recorded: ${known.join(", ") || "(none)"}`, name, known);
    const used = counters(cls);
    const i = used.get(name) ?? 0;
    const entry = list[i];
    if (entry === undefined) {
      throw new PlaybackError(`${cls.name}: unexpected request ${method} ${url}: all ${list.length} recorded response(s) for "${name}" were already replayed`, name, known);
    }
    if (entry.method !== method) {
      throw new PlaybackError(`${cls.name}: unexpected request ${method} ${url}: response #${i + 1} for "${name}" was recorded for ${entry.method} ${entry.url}`, name, known);
    }
    used.set(name, i + 1);
    let body: string | Buffer = "";
    if (entry.fixture !== null) {
      const fixtures = cls.fixtures;
      if (fixtures === null) throw new PlaybackError(`${cls.name}: static fixtures is not set (needed for ${entry.fixture})`, name, known);
      body = entry.binary === true ? fixtures.loadBytes(entry.fixture) : fixtures.load(entry.fixture);
    }
    return [entry.status, body, entry.headers, entry.reason];
  }
}
