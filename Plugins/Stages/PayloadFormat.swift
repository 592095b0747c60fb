import Junction

/// How several payloads share one message (`batch`, `split`).
public enum PayloadFormat: String, ConfigEnum {
    /// One payload per line, joined with "\n".
    case lines
    /// A JSON array whose elements are the payloads (assumed to be JSON).
    case jsonArray = "json_array"
}
