package dev.firmament.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * ESP8266 devices that check in over real HTTP with the headers {@code ESPhttpUpdate} sends, and behave as told when
 * they get an image: install it and come back with it, go silent (a bricked device), or keep running the old image and
 * fetch it again (an update loop).
 */
public final class SimulatedFleet implements AutoCloseable {

    /** What a device does with an image it receives. */
    public enum Behaviour {
        INSTALLS, GOES_SILENT, LOOPS
    }

    /** One device. */
    public static final class Device {
        public final String mac;
        public final Behaviour behaviour;
        public volatile String version;
        public volatile String md5;
        public volatile boolean silent;
        public volatile int imagesReceived;

        Device(String mac, Behaviour behaviour, String version, String md5) {
            this.mac = mac;
            this.behaviour = behaviour;
            this.version = version;
            this.md5 = md5;
        }
    }

    private final List<String> updateUrls;
    private final java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
    /** Check-ins answered (304 or 200), for tests that count what the servers recorded. */
    public final java.util.concurrent.atomic.AtomicInteger checkIns = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, String> versionsByMd5;
    private final List<Device> devices = new ArrayList<>();
    private final HttpClient http;
    private final ExecutorService pool = Executors.newFixedThreadPool(16);
    /** What every device reports as free flash space (an image larger than this is withheld). */
    public volatile long freeSpace = 1_000_000;
    /** What every device reports as its flash size (an image built for more flash is withheld). */
    public volatile long chipSize = 4_194_304;

    /**
     * @param updateUrl
     *            the device URL, {@code http://host:port/d/{key}/update}
     * @param versionsByMd5
     *            what version a device reports once it runs an image with that MD5
     */
    public SimulatedFleet(String updateUrl, Map<String, String> versionsByMd5) {
        this(List.of(updateUrl), versionsByMd5);
    }

    /** Devices that take turns between several replicas: each check-in goes to the next URL. */
    public SimulatedFleet(List<String> updateUrls, Map<String, String> versionsByMd5) {
        this.updateUrls = List.copyOf(updateUrls);
        this.versionsByMd5 = versionsByMd5;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Adds {@code count} devices with MACs {@code prefix:00:00:00} upwards, all running {@code version}. */
    public List<Device> add(String macPrefix, int count, String version, String md5, Behaviour behaviour) {
        List<Device> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String mac = String.format("%s:%02X:%02X:%02X", macPrefix, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF);
            Device device = new Device(mac, behaviour, version, md5);
            devices.add(device);
            added.add(device);
        }
        return added;
    }

    public List<Device> devices() {
        return devices;
    }

    /** Every device that is not silent checks in once; returns the MACs that received an image. */
    public Set<String> checkInAll() {
        return checkIn(devices);
    }

    public Set<String> checkIn(Collection<Device> which) {
        Set<String> updated = ConcurrentHashMap.newKeySet();
        List<Future<?>> calls = new ArrayList<>();
        for (Device device : which) {
            if (device.silent) {
                continue;
            }
            calls.add(pool.submit(() -> {
                if (checkIn(device)) {
                    updated.add(device.mac);
                }
                return null;
            }));
        }
        for (Future<?> call : calls) {
            try {
                call.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return updated;
    }

    /** One check-in; true when an image came back. */
    public boolean checkIn(Device device) throws Exception {
        HttpRequest request = HttpRequest
                .newBuilder(URI.create(updateUrls.get(Math.floorMod(turn.getAndIncrement(), updateUrls.size()))))
                .header("User-Agent", "ESP8266-http-Update").header("x-ESP8266-STA-MAC", device.mac)
                .header("x-ESP8266-AP-MAC", device.mac).header("x-ESP8266-free-space", Long.toString(freeSpace))
                .header("x-ESP8266-sketch-size", "300000").header("x-ESP8266-sketch-md5", device.md5)
                .header("x-ESP8266-chip-size", Long.toString(chipSize))
                .header("x-ESP8266-sdk-version", "2.2.2-dev(38a443e)").header("x-ESP8266-mode", "sketch")
                .header("x-ESP8266-version", device.version).timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 304 || response.statusCode() == 200) {
            checkIns.incrementAndGet();
        }
        if (response.statusCode() == 304) {
            return false;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(device.mac + ": HTTP " + response.statusCode());
        }
        String md5 = Fleet.md5(response.body());
        if (!md5.equals(response.headers().firstValue("x-MD5").orElse(""))) {
            throw new IllegalStateException(device.mac + ": the image does not match its x-MD5");
        }
        device.imagesReceived++;
        switch (device.behaviour) {
        case INSTALLS -> {
            device.md5 = md5;
            device.version = versionsByMd5.get(md5);
        }
        case GOES_SILENT -> device.silent = true;
        case LOOPS -> {
            // boots the new image, fails, rolls back to the old one
        }
        }
        return true;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
