// libcloud-ts: Apache Libcloud's libcloud.common.base for TypeScript. Explicit re-exports only.
export { VERSION } from "./version.js";
export {
  LibcloudError, MalformedResponseError, ProviderError, InvalidCredsError, ServiceUnavailableError, ConfigError,
  TransportError, ConnectionError, DnsError, TimeoutError, TlsError, ProxyError, ResponseTooLargeError,
  DecompressionError, RedirectError, ClientClosedError, PollTimeoutError, JobFailedError, MALFORMED_BODY_EXCERPT,
} from "./common/types.js";
export type { LibcloudErrorOptions, TransportErrorOptions, TimeoutPhase, PollTimeoutDetails } from "./common/types.js";
export {
  BaseHTTPError, RateLimitReachedError, exceptionFromMessage, parseRetryAfter, HTTP_ERROR_CLASSES,
} from "./common/exceptions.js";
export type { HeaderMap, HttpErrorFactory } from "./common/exceptions.js";
export { DIAGNOSTICS_CHANNELS } from "./common/diagnostics.js";
export type { RequestEvent, RequestResponseEvent, RequestErrorEvent, RequestRetryEvent, PollEvent } from "./common/diagnostics.js";
export { settings } from "./common/settings.js";
export type { Settings } from "./common/settings.js";
export { HTTPResponse } from "./http/http-response.js";
export type { BodyLimit, HTTPResponseInit } from "./http/http-response.js";
export { Response } from "./common/base/response.js";
export type { ResponseConnection } from "./common/base/response.js";
export { JsonResponse } from "./common/base/json-response.js";
export { XmlResponse } from "./common/base/xml-response.js";
export { RawResponse } from "./common/base/raw-response.js";
export { Connection } from "./common/base/connection.js";
export type {
  ConnectionOptions, RequestOptions, RequestRetryOptions, BufferedRequestOptions, RawRequestOptions, ResponseClass, RawResponseClass,
  RetryClass, ResponseOf, RawResponseOf,
} from "./common/base/connection.js";
export { ConnectionKey } from "./common/base/connection-key.js";
export { ConnectionUserAndKey } from "./common/base/connection-user-and-key.js";
export { CertificateConnection, KeyCertificateConnection } from "./common/base/certificate-connection.js";
export type { KeyCertificateConnectionOptions } from "./common/base/certificate-connection.js";
export { PollingConnection, PollingConnectionKey } from "./common/base/polling-connection.js";
export type { AsyncRequestOptions, PollRequestArgs, PollRequestOptions } from "./common/base/polling-connection.js";
export { BaseDriver } from "./common/base/base-driver.js";
export type { BaseDriverOptions, DriverConnectionClass } from "./common/base/base-driver.js";
export { LazyObject } from "./common/base/lazy-object.js";
export type { LibcloudRequest, Params, ParamValue, HeaderInput, RequestBody } from "./common/base/request-context.js";
export {
  MinimalRetry, Retry, RetryForeverOnRateLimitError, calculateRetryDelay, isRetryableByDefault, isRefusedBeforeSend, DEFAULT_MAX_ATTEMPTS,
} from "./utils/retry.js";
export type { RetryOptions, RetryContext, WrapOptions, RetryStep, RetryInfo } from "./utils/retry.js";
export { getClock, setClock, systemClock } from "./utils/clock.js";
export type { Clock } from "./utils/clock.js";
export { enableDebug, isDebugEnabled, REQUEST_ID_HEADER, DEBUG_BODY_LIMIT } from "./utils/logging-connection.js";
export type { DebugOptions, DebugStream } from "./utils/logging-connection.js";
export { Element, parseXml, XmlParseError } from "./utils/xml.js";
export type { ParseXmlOptions } from "./utils/xml.js";
export type { InspectFunction } from "./utils/show.js";
export { LibcloudConnection } from "./http/libcloud-connection.js";
export type { ProxyConfig } from "./http/proxy.js";
export {
  AzureAuth, AzureConnection, AZURE_API_VERSION, AZURE_OPTION_NAMES, azureDefaultHeaders, azureHmac, decodeAzureKey, isAzureDomain,
  sharedKeyStringToSign, signSharedKey,
} from "./common/azure.js";
export type { AzureAuthType, AzureConnectionOptions } from "./common/azure.js";
export { AzureAdTokenSource, AZURE_CLOUD_ENVIRONMENTS, AZURE_STORAGE_RESOURCE } from "./common/azure-ad.js";
export type { AzureAdCredentials, AzureCloudEnvironment } from "./common/azure-ad.js";
export { InvalidHeaderError } from "./http/headers.js";
export type { Transport, TransportClass, TransportOptions, TransportRequest, TransportBody } from "./http/libcloud-connection.js";
export {
  AWSRequestSignerAlgorithmV4, AWSBaseResponse, AWSGenericResponse, AWSTokenConnection, SignedAWSConnection, AWSDriver,
  RequestTimeTooSkewedError, UNSIGNED_PAYLOAD, EMPTY_PAYLOAD_SHA256, SIGV4_ALGORITHM, MAX_PRESIGNED_EXPIRY_SECONDS,
  AWS_CONNECTION_OPTION_NAMES, AWS_DRIVER_OPTION_NAMES, uriEncode, wirePath, canonicalUri, canonicalQuery, canonicalHeaderValue,
  canonicalHeaders, sha256Hex, amzDate, localName, childByLocalName, childrenByLocalName, textByLocalName, parseAwsError, throwIfSkewed,
} from "./common/aws.js";
export type {
  SigV4Request, SigV4SignerOptions, AWSConnectionOptions, AWSDriverOptions, RequestTimeTooSkewedErrorOptions,
} from "./common/aws.js";
