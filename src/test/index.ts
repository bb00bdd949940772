// libcloud-ts/test: tools for driver tests. Explicit re-exports only.
export { FakeClock } from "./fake-clock.js";
export { MockHttp, MockHttpError, assertUrlContainsQueryParams, mockMethodName, reasonPhrase, sequence } from "./mock-http.js";
export type { MockCatchAll, MockMethod, MockQuery, MockRequest, MockResponse } from "./mock-http.js";
export { FileFixtures } from "./file-fixtures.js";
export type { FileFixturesOptions } from "./file-fixtures.js";
export { PlaybackMockHttp, PlaybackError } from "./playback-mock-http.js";
export type { RecordedResponse } from "./playback-mock-http.js";
export { Recorder, startRecording } from "./recorder.js";
export type { RecordOptions } from "./recorder.js";
export type { ExchangeRecorder } from "../utils/logging-connection.js";
