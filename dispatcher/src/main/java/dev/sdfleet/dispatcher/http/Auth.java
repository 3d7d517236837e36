package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * API keys to tenants: {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. The key is looked up and
 * dropped; nothing here logs it, and the access log (none by default) must not print these headers either.
 */
final class Auth {
    static final String TENANT = "sdfleet.tenant";
    private final Tenants tenants;
    private final DispatcherMetrics metrics;

    Auth(Tenants tenants, DispatcherMetrics metrics) {
        this.tenants = tenants;
        this.metrics = metrics;
    }

    /** Puts the caller's tenant on the context, or answers 401. */
    void handle(RoutingContext ctx) {
        Optional<String> tenant = tenants.tenantOf(keyOf(ctx));
        if (tenant.isEmpty()) {
            metrics.request("http", "unauthorized");
            ctx.response().putHeader("www-authenticate", "Bearer");
            Problems.send(ctx, 401, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)");
            return;
        }
        ctx.put(TENANT, tenant.get());
        ctx.next();
    }

    static String tenant(RoutingContext ctx) {
        return ctx.get(TENANT);
    }

    private static String keyOf(RoutingContext ctx) {
        String authorization = ctx.request().getHeader("authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return ctx.request().getHeader("x-api-key");
    }
}
