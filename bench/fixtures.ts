// Fixtures shared by the benchmarks and the tests: generated cloud-storage listings.

const NS = "http://schemas.microsoft.com/windowsazure/storage/2019-12-12";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const TYPES = ["text/plain", "image/png", "application/json", "text/csv"] as const;

/**
 * An Azure-Blob-style `EnumerationResults` listing (what S3's `ListBucketResult`
 * looks like too): a default namespace on the root and, per entry, a `Blob` with
 * `Name`, `Last-Modified`, `Etag`, `Content-Length`, `Content-Type` and friends.
 * Deterministic; one line per entry; 1,000 entries come to about 208 KB (the
 * brief's "~190 KB" listing, with real-length RFC 1123 dates and Azure ETags).
 * @param entries - number of `Blob` entries
 */
export function makeBlobListingXml(entries: number): string {
  const parts: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    `<EnumerationResults xmlns="${NS}" ServiceEndpoint="https://account.blob.core.windows.net/" ContainerName="bucket">\n`,
    `<Prefix>f/</Prefix><Marker /><MaxResults>${entries}</MaxResults>\n<Blobs>\n`,
  ];
  for (let i = 0; i < entries; i++) {
    const day = DAYS[i % 7] ?? "Mon";
    const month = MONTHS[i % 12] ?? "Jan";
    const date = `${day}, ${String((i % 28) + 1).padStart(2, "0")} ${month} 2025 10:${String(i % 60).padStart(2, "0")}:00 GMT`;
    const etag = `0x8D${(0x1a2b3c4d5e6f + i * 7919).toString(16).toUpperCase()}`;
    parts.push(
      `<Blob><Name>f/${String(i).padStart(6, "0")}.dat</Name><Last-Modified>${date}</Last-Modified>`,
      `<Etag>${etag}</Etag><Content-Length>${(i * 104729) % 10000000}</Content-Length>`,
      `<Content-Type>${TYPES[i % TYPES.length] ?? "text/plain"}</Content-Type></Blob>\n`,
    );
  }
  parts.push("</Blobs>\n<NextMarker />\n</EnumerationResults>\n");
  return parts.join("");
}
