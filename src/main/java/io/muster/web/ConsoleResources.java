package io.muster.web;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the web console, static files in the jar under {@code static/console/}, at {@code /console/**}
 * on every node: {@code /console} redirects to {@code /console/} (a path, never built from the request's
 * Host), and {@code /console/} is its {@code index.html}. The console calls the API at {@code /v1/...} on
 * the same origin, so it is served at the root of a host, not under a proxy's path prefix.
 * The files hold no secret, so the token filter lets them through without a token; every API call the
 * console makes carries the user's bearer token. {@link ConsoleHeadersFilter} adds the security headers.
 *
 * <p>Caching: {@code no-cache} plus validators. {@code Last-Modified} alone comes from the jar entry's
 * time, which a reproducible build may pin, so each file also gets a weak {@code ETag} from a digest of
 * its bytes (made once per file and modification time): a browser revalidates on every use and gets a
 * 304 until the file's content changes. A weak one, since Tomcat may send the file gzipped.
 *
 * <p>Thread-safe: the digests are in a concurrent map.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleResources implements WebMvcConfigurer {

    static final String PATH = "/console";
    private static final String LOCATION = "classpath:/static/console/";

    /** Digests by file and modification time; as many as the console has files (a few dozen). */
    private final Map<String, String> etags = new ConcurrentHashMap<>();

    /** Whether {@code path} (the request's, without the context path) is the console's. */
    static boolean covers(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        // An explicit status sets Location as given (a path); without one, sendRedirect would make it absolute
        // from the request's Host header.
        registry.addRedirectViewController(PATH, PATH + "/").setStatusCode(HttpStatus.FOUND);
        registry.addViewController(PATH + "/").setViewName("forward:" + PATH + "/index.html");
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler(PATH + "/**").addResourceLocations(LOCATION)
                .setCacheControl(CacheControl.noCache())
                .setUseLastModified(true)
                .setEtagGenerator(this::etag);
    }

    /** A weak ETag of the file's bytes; {@code null} (none) when it cannot be read. */
    private String etag(Resource resource) {
        try {
            String key = resource.getURL() + "@" + resource.lastModified();
            String known = etags.get(key);
            if (known != null) {
                return known;
            }
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(resource.getContentAsByteArray());
            String made = "W/\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
            etags.put(key, made);
            return made;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }
}
