// `CacheStatus`, `NotStoredReason` and `HTTPField.Name.xCache`: the response cache's names, shared with the
// Hummingbird middleware, come with `import CacheLayerVapor`.
@_exported import CacheLayerHTTP
