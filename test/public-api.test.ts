// The public API: the sorted export names of each entry point, imported through the package's own
// `exports` map (code outside this repo imports exactly these names, so a change here is deliberate).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const load = (specifier: string): Promise<Record<string, unknown>> => import(specifier) as Promise<Record<string, unknown>>;

test("libcloud-ts exports exactly these names", async () => {
  assert.deepEqual(Object.keys(await load("libcloud-ts")).sort(), [
    "AWSBaseResponse", "AWSDriver", "AWSGenericResponse", "AWSRequestSignerAlgorithmV4", "AWSTokenConnection",
    "AWS_CONNECTION_OPTION_NAMES", "AWS_DRIVER_OPTION_NAMES", "AZURE_API_VERSION", "AZURE_CLOUD_ENVIRONMENTS",
    "AZURE_OPTION_NAMES", "AZURE_STORAGE_RESOURCE", "AzureAdTokenSource", "AzureAuth", "AzureConnection", "BaseDriver",
    "BaseHTTPError", "CertificateConnection", "ClientClosedError", "ConfigError", "Connection", "ConnectionError",
    "ConnectionKey", "ConnectionUserAndKey", "DEBUG_BODY_LIMIT", "DEFAULT_MAX_ATTEMPTS", "DIAGNOSTICS_CHANNELS",
    "DecompressionError", "DnsError", "EMPTY_PAYLOAD_SHA256", "Element", "HTTPResponse", "HTTP_ERROR_CLASSES",
    "InvalidCredsError", "InvalidHeaderError", "JobFailedError", "JsonResponse", "KeyCertificateConnection",
    "LazyObject", "LibcloudConnection", "LibcloudError", "MALFORMED_BODY_EXCERPT", "MAX_PRESIGNED_EXPIRY_SECONDS",
    "MalformedResponseError", "MinimalRetry", "PollTimeoutError", "PollingConnection", "PollingConnectionKey",
    "ProviderError", "ProxyError", "REQUEST_ID_HEADER", "RateLimitReachedError", "RawResponse", "RedirectError",
    "RequestTimeTooSkewedError", "Response", "ResponseTooLargeError", "Retry", "RetryForeverOnRateLimitError",
    "SIGV4_ALGORITHM", "ServiceUnavailableError", "SignedAWSConnection", "TimeoutError", "TlsError", "TransportError",
    "UNSIGNED_PAYLOAD", "VERSION", "XmlParseError", "XmlResponse", "amzDate", "azureDefaultHeaders", "azureHmac",
    "calculateRetryDelay", "canonicalHeaderValue", "canonicalHeaders", "canonicalQuery", "canonicalUri",
    "childByLocalName", "childrenByLocalName", "decodeAzureKey", "enableDebug", "exceptionFromMessage", "getClock",
    "isAzureDomain", "isDebugEnabled", "isRefusedBeforeSend", "isRetryableByDefault", "localName", "parseAwsError",
    "parseRetryAfter", "parseXml", "setClock", "settings", "sha256Hex", "sharedKeyStringToSign", "signSharedKey",
    "systemClock", "textByLocalName", "throwIfSkewed", "uriEncode", "wirePath",
  ]);
});

test("libcloud-ts/test exports exactly these names", async () => {
  assert.deepEqual(Object.keys(await load("libcloud-ts/test")).sort(), [
    "FakeClock", "FileFixtures", "MockHttp", "MockHttpError", "PlaybackError", "PlaybackMockHttp", "Recorder",
    "assertUrlContainsQueryParams", "mockMethodName", "reasonPhrase", "sequence", "startRecording",
  ]);
});

test("every name docs/SPEC.md gives the package root and libcloud-ts/test is a value of the right kind", async () => {
  const root = await load("libcloud-ts");
  const classes = [
    "LibcloudError", "MalformedResponseError", "ProviderError", "InvalidCredsError", "ServiceUnavailableError",
    "BaseHTTPError", "RateLimitReachedError", "ConnectionError", "DnsError", "TimeoutError", "TlsError", "ProxyError",
    "Response", "JsonResponse", "XmlResponse", "RawResponse", "HTTPResponse", "Connection", "ConnectionKey",
    "ConnectionUserAndKey", "CertificateConnection", "KeyCertificateConnection", "LibcloudConnection", "MinimalRetry",
    "Retry", "RetryForeverOnRateLimitError", "PollingConnection", "BaseDriver", "LazyObject",
  ];
  for (const name of classes) assert.equal(typeof root[name], "function", name);
  assert.equal(typeof root["exceptionFromMessage"], "function");
  assert.equal(typeof root["enableDebug"], "function");
  assert.equal(typeof root["settings"], "object");
  const testing = await load("libcloud-ts/test");
  for (const name of ["MockHttp", "FileFixtures"]) assert.equal(typeof testing[name], "function", name);
});

test("VERSION matches package.json (it goes into the User-Agent)", async () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  assert.equal((await load("libcloud-ts"))["VERSION"], pkg.version);
});
