// `CacheStatus`, `NotStoredReason` and `HTTPField.Name.xCache` moved to CacheLayerHTTP, the response cache both
// framework middlewares share: importing CacheLayerHummingbird still brings them.
@_exported import CacheLayerHTTP
