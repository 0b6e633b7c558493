#if VaporSupport
import CacheLayer
import Vapor

extension Application.Caches.Provider {
    /// `app.cache` and `req.cache` through `cache`, a CacheLayer ``CacheLayer/Cache``
    /// (``CacheLayerVaporCache``): `app.caches.use(.cacheLayer(cache))`.
    public static func cacheLayer(_ cache: CacheLayer.Cache) -> Self {
        .init { application in
            application.caches.use { application in
                CacheLayerVaporCache(
                    cache: cache, eventLoop: application.eventLoopGroup.any(), logger: application.logger)
            }
        }
    }
}
#endif
