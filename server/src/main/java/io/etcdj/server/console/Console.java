package io.etcdj.server.console;

import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.file.FileService;

/**
 * The web console served under /ui/ on the client port: its static files (HTML, CSS and JavaScript modules kept
 * as resources in the server jar, under {@code io/etcdj/server/console/ui/}) and its API ({@link ConsoleApi}), all
 * with {@link SecurityHeaders}. The page itself talks to the member through the JSON gateway (/v3/...) and the
 * console API, sending the user's token in the Authorization header; see docs/console.md.
 */
public final class Console {
    static final String RESOURCES = "io/etcdj/server/console/ui";

    private Console() {}

    /** The service to mount under /ui/ (it expects full request paths starting with /ui/). */
    public static HttpService service(ConsoleApi api) {
        HttpService files = FileService.builder(Console.class.getClassLoader(), RESOURCES)
                .maxCacheEntries(64)
                .cacheControl("no-cache") // revalidate (ETag): a new member version serves new files at once
                .build();
        HttpService router = (ctx, req) -> {
            if (ctx.path().startsWith(ConsoleApi.PREFIX)) {
                return api.serve(ctx, req);
            }
            return files.serve(ctx, req);
        };
        return new SecurityHeaders(router);
    }
}
