package dev.portcullis.authz.outbound;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Response bodies of the service's outbound calls (discovery documents, CRLs, introspection, OPA)
 * read only up to a limit. {@code BodyHandlers.ofByteArray()} reads whatever the peer sends and a
 * size check after it comes too late: a CRL endpoint (often plain HTTP, so anyone on the path) that
 * streams gigabytes would fill the heap first. Here the connection is abandoned as soon as the
 * body, or its declared {@code Content-Length}, passes the limit, and the call fails with
 * {@link TooLargeException} as its cause (JDK 25's {@code BodyHandlers.limiting} does this; the
 * service builds for 21).
 */
public final class BoundedBody {

    /** The body passed the limit; nothing of it is kept. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("the answer is larger than " + limit + " bytes");
        }
    }

    private BoundedBody() {
    }

    /** A handler that gives the whole body as bytes when it has at most {@code maxBytes}. */
    public static HttpResponse.BodyHandler<byte[]> upTo(int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes cannot be negative");
        }
        return info -> {
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            return new Subscriber(maxBytes, declared);
        };
    }

    /** True when {@code e} (as {@code HttpClient.send} throws it, wrapped) is a body over the limit. */
    public static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final long declared;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private byte[] bytes = new byte[0];
        private int size;

        Subscriber(int limit, long declared) {
            this.limit = limit;
            this.declared = declared;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = Objects.requireNonNull(s);
            if (declared > limit) {
                s.cancel();
                body.completeExceptionally(new TooLargeException(limit));
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                int n = buffer.remaining();
                if (n > limit - size) {
                    subscription.cancel();
                    bytes = null;
                    body.completeExceptionally(new TooLargeException(limit));
                    return;
                }
                if (size + n > bytes.length) {
                    // Grow geometrically, but never past the limit.
                    bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + n, Math.max(1024L, 2L * bytes.length))));
                }
                buffer.get(bytes, size, n);
                size += n;
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            if (!body.isDone()) {
                body.complete(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
            }
        }
    }
}
