/// Rows of `city_observations` in PostgreSQL's binary COPY format, appended to a byte buffer.
///
/// Binary rather than text: the client does not format a double per variable and row as decimal text
/// and the server does not parse them back (and the values arrive bit for bit). Layout
/// (PostgreSQL docs, "COPY ... Binary Format"): an 11-byte signature, two 32-bit header
/// words, then per row a 16-bit field count and per field a 32-bit length (-1 for NULL)
/// and the value in network byte order; a 16-bit -1 ends the data.
struct PostgresBinaryCopy {
    /// The bytes not yet sent.
    var buffer: [UInt8] = []

    /// Starts the stream with the signature and an empty header.
    init(reserving capacity: Int) {
        buffer.reserveCapacity(capacity)
        buffer.append(contentsOf: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]) // "PGCOPY\n\377\r\n\0"
        append(UInt32(0)) // flags: no OIDs
        append(UInt32(0)) // header extension length
    }

    /// One row: `city_id integer, time bigint`, one `double precision` per variable at
    /// `indices` (of `values`), `imputed smallint` (the columns ``PostgresStore`` names in its COPY).
    mutating func appendRow(cityID: Int32, time: Int64, values: LoadRow.Values, indices: [Int], imputed: UInt8) {
        append(UInt16(3 + indices.count))
        append(UInt32(4))
        append(UInt32(bitPattern: cityID))
        append(UInt32(8))
        append(UInt64(bitPattern: time))
        for index in indices {
            let value = values[index]
            append(value.isNaN ? nil : value)
        }
        append(UInt32(2))
        append(UInt16(imputed))
    }

    /// The end-of-data marker.
    mutating func appendTrailer() {
        append(UInt16(bitPattern: -1))
    }

    private mutating func append(_ value: Double?) {
        guard let value else {
            append(UInt32(bitPattern: -1))
            return
        }
        append(UInt32(8))
        append(value.bitPattern)
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }
}
