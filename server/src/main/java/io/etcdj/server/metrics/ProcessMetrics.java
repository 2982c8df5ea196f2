package io.etcdj.server.metrics;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process metrics every Prometheus client exports (and etcd's dashboards read) under their standard names:
 * process_cpu_seconds_total, process_open_fds, process_max_fds, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_start_time_seconds. Read from the JVM and /proc when scraped.
 */
final class ProcessMetrics implements MeterBinder {
    private static final long PAGE_BYTES = 4096;

    @Override
    public void bindTo(MeterRegistry r) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof OperatingSystemMXBean sun) {
            FunctionCounter.builder("process_cpu_seconds", sun, b -> b.getProcessCpuTime() / 1e9)
                    .description("Total user and system CPU time spent in seconds.")
                    .register(r);
        }
        if (os instanceof UnixOperatingSystemMXBean unix) {
            Gauge.builder("process_open_fds", unix, u -> u.getOpenFileDescriptorCount())
                    .description("Number of open file descriptors.")
                    .register(r);
            Gauge.builder("process_max_fds", unix, u -> u.getMaxFileDescriptorCount())
                    .description("Maximum number of open file descriptors.")
                    .register(r);
        }
        Gauge.builder(
                        "process_start_time_seconds",
                        () -> ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3)
                .description("Start time of the process since unix epoch in seconds.")
                .register(r);
        Gauge.builder("process_resident_memory_bytes", () -> statmPages(1) * PAGE_BYTES)
                .description("Resident memory size in bytes.")
                .register(r);
        Gauge.builder("process_virtual_memory_bytes", () -> statmPages(0) * PAGE_BYTES)
                .description("Virtual memory size in bytes.")
                .register(r);
    }

    /** Field {@code i} of /proc/self/statm (0 = size, 1 = resident), in pages; NaN off Linux. */
    private static double statmPages(int i) {
        try {
            return Long.parseLong(
                    Files.readString(Path.of("/proc/self/statm")).trim().split(" ")[i]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
