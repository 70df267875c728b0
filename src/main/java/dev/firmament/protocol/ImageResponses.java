package dev.firmament.protocol;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.PathPart;

import io.vertx.ext.web.RoutingContext;

import dev.firmament.device.DeviceActivityRecorder;
import dev.firmament.release.artifact.ArtifactStore;
import dev.firmament.targeting.TargetingSnapshot.Image;
import dev.firmament.targeting.TargetingSnapshot.ImageKind;
import dev.firmament.targeting.TargetingSnapshot.ReleaseEntry;

/**
 * Sends an image the way ESP clients need it: identity encoding, an exact {@code Content-Length} (HTTP/1.0 clients fail
 * on chunked bodies), {@code x-MD5} in lower-case hex, the SHA-256 as a strong {@code ETag}, and single {@code Range}
 * requests. The bytes go from a local file with zero copy; what was actually sent is recorded once the response ends or
 * the connection drops.
 */
@ApplicationScoped
class ImageResponses {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ImageResponses.class);
    /** What a device is told to wait when the store is away; ESP clients try again at their next check-in anyway. */
    static final String RETRY_AFTER_SECONDS = "60";
    /** A corrupt object stays corrupt until someone uploads the release again: devices need not ask soon. */
    static final String CORRUPT_RETRY_AFTER_SECONDS = "3600";

    private final io.micrometer.core.instrument.Counter aborted;

    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final ArtifactStore store;
    private final DeviceActivityRecorder recorder;
    private final RolloutDownloadSlots slots;

    private final java.time.InstantSource clock;

    private final io.micrometer.core.instrument.Counter corrupt;
    private final java.util.Map<Surface, Served> served = new java.util.EnumMap<>(Surface.class);

    /** Where a device asked for the image: its answer to a header-protocol check-in, or a download link. */
    enum Surface {
        /** {@code ESPhttpUpdate}/{@code HTTPUpdate}: the image is the answer to the check-in itself. */
        HEADER,
        /** {@code /download/...}: the NoFUSS client, or a link handed out by the API. */
        DOWNLOAD;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Downloads and bytes sent through one surface, registered once: a tag lookup per download costs. */
    private record Served(io.micrometer.core.instrument.Counter complete,
            io.micrometer.core.instrument.Counter brokenOff, io.micrometer.core.instrument.Counter bytes) {
    }

    ImageResponses(ArtifactStore store, DeviceActivityRecorder recorder, RolloutDownloadSlots slots,
            java.time.InstantSource clock, io.micrometer.core.instrument.MeterRegistry meters) {
        this.clock = clock;
        this.aborted = io.micrometer.core.instrument.Counter.builder("firmament.devices.downloads.aborted")
                .description("Image downloads the device broke off before the last byte (it lost its connection)")
                .register(meters);
        this.store = store;
        this.recorder = recorder;
        this.slots = slots;
        this.corrupt = meters.counter("firmament.images.corrupt");
        for (Surface surface : Surface.values()) {
            served.put(surface,
                    new Served(
                            io.micrometer.core.instrument.Counter.builder("firmament.devices.downloads")
                                    .description(
                                            "Image downloads that ended, by surface and whether the last byte went out")
                                    .tags("surface", surface.tag(), "outcome", "complete").register(meters),
                            io.micrometer.core.instrument.Counter.builder("firmament.devices.downloads")
                                    .tags("surface", surface.tag(), "outcome", "broken-off").register(meters),
                            io.micrometer.core.instrument.Counter.builder("firmament.devices.download.bytes")
                                    .description("Image bytes sent to devices, by surface").baseUnit("bytes")
                                    .tags("surface", surface.tag()).register(meters)));
        }
    }

    /**
     * @param rolloutId
     *            the rollout whose image this is, so its concurrent downloads are counted; or null
     */
    Response send(Surface surface, String tenantId, String mac, ReleaseEntry release, ImageKind kind,
            String rangeHeader, boolean head, Long rolloutId, RoutingContext request) throws IOException {
        Image image = release.image(kind);
        Path file;
        try {
            file = store.localCopy(UUID.fromString(tenantId), image.sha256());
        } catch (dev.firmament.release.artifact.ArtifactCorruptException e) {
            // Never send bytes other than the ones stored (and signed): someone or something changed the object.
            corrupt.increment();
            LOG.errorf("Not sending image %s of tenant %s (release %d) to %s: %s", image.sha256(), tenantId,
                    release.id(), mac, e.getMessage());
            return Response.status(503).header("Retry-After", CORRUPT_RETRY_AFTER_SECONDS).type("text/plain")
                    .entity("This image failed its integrity check and is not sent; the operator was told").build();
        } catch (java.io.IOException e) {
            if (!dev.firmament.release.artifact.StoreFailures.unreachable(e)) {
                throw e;
            }
            // Not in this replica's cache and the store is away: the ESP clients try again at their next check-in.
            LOG.warnf("Image %s of tenant %s cannot be fetched from the store: %s", image.sha256(), tenantId, e);
            return Response.status(503).header("Retry-After", RETRY_AFTER_SECONDS).type("text/plain")
                    .entity("Image store unavailable, try again later").build();
        }
        long size = image.size();
        long offset = 0;
        long length = size;
        String contentRange = null;
        if (rangeHeader != null) {
            Matcher range = SINGLE_RANGE.matcher(rangeHeader.trim());
            if (range.matches() && !(range.group(1).isEmpty() && range.group(2).isEmpty())) {
                long[] bounds = bounds(range, size);
                if (bounds == null) {
                    return Response.status(416).header("Content-Range", "bytes */" + size).build();
                }
                offset = bounds[0];
                length = bounds[1] - bounds[0] + 1;
                contentRange = "bytes " + bounds[0] + "-" + bounds[1] + "/" + size;
            }
            // anything else (several ranges, other units) is answered with the whole image, as RFC 9110 allows
        }
        if (!head) {
            // Rollout slots count devices downloading; a MAC-less download (a browser, CI) does not take one.
            recordWhenDone(surface, tenantId, mac, release.id(), kind, size, length, contentRange,
                    mac == null ? null : rolloutId, request);
        }
        Response.ResponseBuilder response = Response.status(contentRange == null ? 200 : 206)
                .type("application/octet-stream").header("x-MD5", image.md5())
                .header("ETag", "\"" + image.sha256() + "\"").header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + fileName(release, kind) + "\"");
        if (contentRange != null) {
            response.header("Content-Range", contentRange);
        }
        if (head) {
            return response.header("Content-Length", length).build();
        }
        return response.entity(new PathPart(file, offset, length)).build();
    }

    /** Set by a writer that sends the file itself and reports its outcome through {@link #finished}. */
    static final String WRITER_REPORTS = "firmament.download.writer-reports";
    private static final String FINISH = "firmament.download.finish";

    /** Counts what was sent and, for a device that said its MAC, records the download in its history. */
    private void recordWhenDone(Surface surface, String tenantId, String mac, long releaseId, ImageKind kind, long size,
            long length, String range, Long rolloutId, RoutingContext request) {
        if (rolloutId != null) {
            slots.begin(rolloutId);
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> connectionFailure = new AtomicReference<>();
        // Called once, whether the body was sent or the connection dropped: frees the slot, records what was sent.
        Consumer<Throwable> finish = failure -> {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            if (rolloutId != null) {
                slots.end(rolloutId);
            }
            long sent = request.response().bytesWritten();
            // A file goes out through sendfile, so bytesWritten counts all of it at once: only the send's own outcome
            // says whether the device got it or the connection went first.
            Throwable cause = failure != null ? failure : connectionFailure.get();
            boolean brokenOff = cause != null || sent < length;
            Served counters = served.get(surface);
            counters.bytes().increment(sent);
            if (brokenOff) {
                aborted.increment(); // the device went away mid-download: normal in the field, not an error
                counters.brokenOff().increment();
                LOG.debugf("Download of release %d by %s broke off: %s", releaseId, mac, cause);
            } else {
                counters.complete().increment();
            }
            if (mac == null) {
                return; // a download link opened by something that is not a device (a browser, CI): nobody to record
            }
            recorder.record(new DeviceActivityRecorder.Download(tenantId, mac, releaseId, kind, sent, size, range,
                    clock.instant(), brokenOff));
        };
        request.put(FINISH, finish);
        // For responses the JAX-RS layer writes (no outcome reported): a reset seen on the response marks it broken
        // off.
        request.response().exceptionHandler(connectionFailure::set);
        request.addEndHandler(ended -> {
            if (request.get(WRITER_REPORTS) == null) {
                finish.accept(ended.failed() ? ended.cause() : null);
            }
        });
    }

    /** The writer's report that the image was sent ({@code failure} null) or broke off. */
    static void finished(RoutingContext request, Throwable failure) {
        Consumer<Throwable> finish = request.get(FINISH);
        if (finish != null) {
            finish.accept(failure);
        }
    }

    /** First and last byte of a satisfiable range, or null. */
    private static long[] bounds(Matcher range, long size) {
        String first = range.group(1);
        String last = range.group(2);
        try {
            if (first.isEmpty()) {
                long suffix = Long.parseLong(last);
                return suffix == 0 || size == 0 ? null : new long[] { Math.max(0, size - suffix), size - 1 };
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
            return start >= size || end < start ? null : new long[] { start, end };
        } catch (NumberFormatException tooLong) {
            return null;
        }
    }

    private static String fileName(ReleaseEntry release, ImageKind kind) {
        String safeVersion = release.version().replaceAll("[^A-Za-z0-9._-]", "_");
        return (kind == ImageKind.FIRMWARE ? "firmware-" : "filesystem-") + safeVersion + ".bin";
    }
}
