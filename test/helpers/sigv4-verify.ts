// Verifies a request's SigV4 signature the way AWS would, with AWS's own signer
// (@smithy/signature-v4): the request is rebuilt from what arrived on the wire (raw path, raw
// query, the headers named in SignedHeaders) and signed again with the known secret.
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

/** A request as it arrived. */
export interface WireRequest {
  method: string;
  /** The raw request target (path and query, as sent). */
  url: string;
  /** Header values by lower-case name (node:http's req.headers). */
  headers: Record<string, string | string[] | undefined>;
}

/** Why a request was refused, or null when its signature is valid. */
export type Verdict = { ok: true } | { ok: false; code: "AccessDenied" | "SignatureDoesNotMatch" | "InvalidAccessKeyId"; reason: string };

function header(headers: WireRequest["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The raw query as smithy's query record: names decoded, repeated names as arrays. */
export function queryRecord(rawQuery: string, drop: (name: string) => boolean = () => false): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : decode(part.slice(eq + 1));
    if (drop(name)) continue;
    const prev = query[name];
    query[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return query;
}

function parseAmzDate(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return new Date(NaN);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Verifies header or query (presigned) SigV4 auth of a request, for one access key and secret. */
export async function verifySigV4(
  request: WireRequest,
  keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  options: { service?: string; uriEscapePath?: boolean; now?: Date } = {},
): Promise<Verdict> {
  const service = options.service ?? "s3";
  const q = request.url.indexOf("?");
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const rawQuery = q < 0 ? "" : request.url.slice(q + 1);
  const auth = header(request.headers, "authorization");
  const presignedQuery = queryRecord(rawQuery);
  const presigned = auth === undefined && presignedQuery["X-Amz-Signature"] !== undefined;
  let credential: string, signedHeaders: string, signature: string, dateText: string;
  if (presigned) {
    credential = String(presignedQuery["X-Amz-Credential"] ?? "");
    signedHeaders = String(presignedQuery["X-Amz-SignedHeaders"] ?? "");
    signature = String(presignedQuery["X-Amz-Signature"]);
    dateText = String(presignedQuery["X-Amz-Date"] ?? "");
  } else {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth ?? "");
    if (m === null) return { ok: false, code: "AccessDenied", reason: "no SigV4 Authorization" };
    [credential, signedHeaders, signature] = [m[1]!, m[2]!, m[3]!];
    dateText = header(request.headers, "x-amz-date") ?? "";
  }
  const [accessKeyId, , region] = credential.split("/");
  if (accessKeyId !== keys.accessKeyId) return { ok: false, code: "InvalidAccessKeyId", reason: "unknown access key" };
  const signingDate = parseAmzDate(dateText);
  if (Number.isNaN(signingDate.getTime())) return { ok: false, code: "AccessDenied", reason: "bad x-amz-date" };
  const signed = new Set(signedHeaders.split(";"));
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = header(request.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: keys.secretAccessKey, ...(keys.sessionToken === undefined ? {} : { sessionToken: keys.sessionToken }) },
    region: region ?? "", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: options.uriEscapePath ?? service !== "s3",
  });
  const base = { method: request.method, protocol: "http:", hostname: (headers["host"] ?? "").replace(/:\d+$/, ""), path };
  let expected: string;
  if (presigned) {
    const expires = Number(presignedQuery["X-Amz-Expires"]);
    const query = queryRecord(rawQuery, (n) => n.startsWith("X-Amz-") && n !== "X-Amz-Security-Token" ? true : n === "X-Amz-Security-Token");
    const result = await signer.presign(
      { ...base, query, headers: { ...headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } },
      { signingDate, expiresIn: expires, unhoistableHeaders: new Set(["x-amz-content-sha256"]), unsignableHeaders: new Set(["x-amz-content-sha256"]) },
    );
    expected = String(result.query?.["X-Amz-Signature"]);
    if (options.now !== undefined && options.now.getTime() > signingDate.getTime() + expires * 1000) {
      return { ok: false, code: "AccessDenied", reason: "Request has expired" };
    }
  } else {
    const result = await signer.sign({ ...base, query: queryRecord(rawQuery), headers } as never, { signingDate, signableHeaders: signed });
    const m = /Signature=([0-9a-f]{64})$/.exec(String(result.headers["authorization"]));
    expected = m?.[1] ?? "";
  }
  return expected === signature ? { ok: true } : { ok: false, code: "SignatureDoesNotMatch", reason: "signature mismatch" };
}
