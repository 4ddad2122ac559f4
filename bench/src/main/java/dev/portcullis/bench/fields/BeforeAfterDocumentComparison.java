package dev.portcullis.bench.fields;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two builds of {@link DocumentBenchmark} side by side in one JVM, for a before/after comparison
 * on a machine shared with other work: each benchmarks jar is loaded in its own class loader, and
 * rounds of the same operation alternate between them in one thread, timed by the thread's CPU
 * time, so a load change hits both alike. Prints the median ns per document of each build, their
 * ratio, and the quartiles (the spread to judge the ratio by). The Tink row runs the same code in
 * both builds and shows the noise floor. Not JMH; see {@link InterleavedCpuComparison}.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.portcullis.bench.fields.BeforeAfterDocumentComparison
 * before/benchmarks.jar after/benchmarks.jar 81}
 */
public final class BeforeAfterDocumentComparison {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int OPERATIONS_PER_ROUND = 200;
    private static final int WARM_UP_ROUNDS = 5;

    private static Object sink;

    private BeforeAfterDocumentComparison() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BeforeAfterDocumentComparison <before.jar> <after.jar> <rounds>");
            System.exit(2);
        }
        int rounds = Integer.parseInt(args[2]);
        Object[] benchmarks = new Object[2];
        Method[][] operations = new Method[2][];
        for (int i = 0; i < 2; i++) {
            // Parent: the platform loader, so neither build sees this jar's copies of the classes.
            URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[i]).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> type = loader.loadClass(DocumentBenchmark.class.getName());
            benchmarks[i] = type.getConstructor().newInstance();
            type.getMethod("setUp").invoke(benchmarks[i]);
            operations[i] = new Method[] {type.getMethod("portcullisEncrypt50Fields"),
                    type.getMethod("portcullisDecrypt50Fields"), type.getMethod("tinkAeadEncrypt50ValuesOnly")};
        }
        String[] names = {"document encrypt", "document decrypt", "Tink, 50 values (same code in both)"};
        System.out.println("| operation | before ns | after ns | after / before | before quartiles | after quartiles |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (int op = 0; op < names.length; op++) {
            double[][] ns = new double[2][rounds];
            for (int round = -WARM_UP_ROUNDS; round < rounds; round++) {
                for (int i = 0; i < 2; i++) {
                    double t = cpu(operations[i][op], benchmarks[i]);
                    if (round >= 0) {
                        ns[i][round] = t;
                    }
                }
            }
            Arrays.sort(ns[0]);
            Arrays.sort(ns[1]);
            double before = ns[0][rounds / 2];
            double after = ns[1][rounds / 2];
            System.out.printf("| %s | %.0f | %.0f | %.2f | %.0f-%.0f | %.0f-%.0f |%n", names[op], before, after,
                    after / before, ns[0][rounds / 4], ns[0][3 * rounds / 4], ns[1][rounds / 4], ns[1][3 * rounds / 4]);
        }
    }

    private static double cpu(Method operation, Object benchmark) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < OPERATIONS_PER_ROUND; i++) {
            sink = operation.invoke(benchmark);
        }
        return (THREADS.getCurrentThreadCpuTime() - start) / (double) OPERATIONS_PER_ROUND;
    }
}
