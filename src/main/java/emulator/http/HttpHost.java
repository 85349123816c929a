package emulator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A loopback HTTP server on the JDK's built-in server. Every request is read fully, handed to
 * one handler function and its response written; any unexpected exception becomes a
 * Salesforce-shaped 500 instead of a dropped connection or a stack trace.
 */
public final class HttpHost implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpHost.class.getName());
    /** The JDK server's switch for TCP_NODELAY on accepted connections, read once when its first server starts. */
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    static {
        // The JDK server writes a response's headers and body separately. With Nagle's algorithm on
        // (its default), the body then waits for the client's delayed ACK, ~40 ms on Linux: every
        // request on a kept-alive connection took at least that long, whatever its size.
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;

    public HttpHost(String host, int port, Function<Request, Response> handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 256);
        // Long-polling CometD connects hold a thread each; a cached pool grows with clients.
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sf-emulator-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> serve(exchange, handler));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, Function<Request, Response> handler) {
        Response response;
        try {
            response = handler.apply(Request.read(exchange));
        } catch (ApiException e) {
            response = Errors.rest(e);
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.WARNING, "emulator: unexpected failure on " + exchange.getRequestURI(), e);
            response = Errors.rest(new ApiException(500, "UNKNOWN_EXCEPTION",
                    "An unexpected error occurred. Please include this ErrorId if you contact support: emulator"));
        }
        try (exchange) {
            for (Map.Entry<String, String> h : response.headers()) {
                exchange.getResponseHeaders().add(h.getKey(), h.getValue());
            }
            byte[] body = response.body();
            boolean empty = body.length == 0;
            exchange.sendResponseHeaders(response.status(), empty ? -1 : body.length);
            if (!empty) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "emulator: client went away", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Renders the error envelopes. */
    public static final class Errors {
        private Errors() {
        }

        public static Response rest(ApiException e) {
            Map<String, Object> error = new java.util.LinkedHashMap<>();
            error.put("message", e.getMessage());
            error.put("errorCode", e.errorCode());
            if (e.fields() != null) {
                error.put("fields", e.fields());
            }
            Response r = Response.json(e.status(), List.of(error));
            if (e.status() == 401) {
                r.header("WWW-Authenticate", "Token");
            }
            return r;
        }
    }
}
