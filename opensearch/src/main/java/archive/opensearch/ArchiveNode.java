package archive.opensearch;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.codelibs.opensearch.runner.node.OpenSearchRunnerNode;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.join.ParentJoinPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM until the process is told to stop.
 *
 * <p>The only argument is the node's home; its settings are in home/config/opensearch.yml (written by
 * opensearch/cluster.py). The modules the archive needs are loaded from the class path, as the
 * OpenSearch distribution loads them from its modules folder.
 */
public final class ArchiveNode {

    /**
     * Modules of the OpenSearch distribution that the archive uses. Painless is left out: its start-up
     * (compiling its allow-lists) added ~10 s to a node's start here, and the archive runs no scripts.
     */
    private static final List<Class<? extends Plugin>> MODULES = List.of(
            Netty4Plugin.class,          // HTTP and transport
            CommonAnalysisPlugin.class,  // language stemmers, ascii folding, word delimiters
            ParentJoinPlugin.class,      // join field for the parent/child layout
            MapperExtrasPlugin.class,    // search_as_you_type, rank features
            ReindexPlugin.class);        // reindex, update/delete by query

    /** How long a stopping node may take to close its shards cleanly. */
    private static final long CLOSE_SECONDS = 20;

    private ArchiveNode() {}

    public static void main(String[] args) throws Exception {
        Path home = Paths.get(args[0]).toAbsolutePath();
        Settings input = Settings.builder().put("path.home", home.toString()).build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(
                input, Collections.emptyMap(), home.resolve("config"), () -> "node");
        LogConfigurator.registerErrorListener();
        LogConfigurator.configure(env);
        Node node = new OpenSearchRunnerNode(env, MODULES);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(CLOSE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        node.start();
        stopped.await();
    }
}
