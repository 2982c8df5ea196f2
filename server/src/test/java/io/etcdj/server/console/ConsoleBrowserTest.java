package io.etcdj.server.console;

import static io.etcdj.server.console.GatewayClient.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.SessionProtocol;
import io.etcdj.server.EtcdjServer;
import io.etcdj.server.MemberConfig;
import io.etcdj.server.cli.ConfigLoader;
import io.etcdj.server.cli.EtcdjMain;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's chromium, headless, through chromium-driver) against a real member with
 * auth on: log in, browse the tree, edit a value while someone else writes it (the save is refused and shown),
 * look at the history and the keyspace at an old revision, diff a prefix between two revisions, search, see a
 * watch event arrive and a lease expire, the cluster, grant a permission, the live charts.
 * Screenshots of the main screens go to target/console-screenshots (docs/console/ holds copies). Skipped when
 * chromium or chromium-driver is not installed.
 */
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static EtcdjServer server;
    static GatewayClient client;
    static WebDriver browser;
    static String base;
    static Path shots;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        server = EtcdjServer.start(MemberConfig.singleMember(dir.resolve("member"), URI.create("http://127.0.0.1:0")));
        base = "http://127.0.0.1:" + server.clientPort().activePort(SessionProtocol.HTTP);
        client = new GatewayClient(base);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                "--user-data-dir=" + dir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        shots = Path.of("target", "console-screenshots");
        Files.createDirectories(shots);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private static WebElement visible(By by) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void waitText(By by, String text) {
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    private static void shot(String name) throws Exception {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), shots.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static By treeDir(String prefix) {
        return By.cssSelector("#tree [data-prefix='" + b64(prefix) + "']");
    }

    private static By treeKey(String key) {
        return By.cssSelector("#tree [data-key='" + b64(key) + "']");
    }

    private static void nav(String view) {
        browser.findElement(By.cssSelector("#nav button[data-view='" + view + "']"))
                .click();
        visible(By.id("view-" + view));
    }

    @Test
    void anOperatorsSession() throws Exception {
        client.put("/app/config/db", "{\"host\":\"db-1\",\"port\":5432}");
        long firstRevision = client.put("/app/config/cache", "size: 10\nttl: 60\n");
        client.put("/app/config/db", "{\"host\":\"db-2\",\"port\":5432}");
        client.put("/app/flags/dark-mode", "on");
        client.put("toplevel-key", "no leading slash");
        client.enableAuth("rootpw", "alice", "alicepw", "/app/", "/app0");

        // log in (auth is on)
        browser.get(base + "/ui/");
        visible(By.id("login-user")).sendKeys("root");
        browser.findElement(By.id("login-password")).sendKeys("rootpw");
        shot("login");
        browser.findElement(By.id("login-submit")).click();

        // browse: "/" and the key without a leading slash at the top, then down to a key
        visible(treeKey("toplevel-key"));
        visible(treeDir("/")).click();
        visible(treeDir("/app/")).click();
        visible(treeDir("/app/config/")).click();
        visible(treeKey("/app/config/db")).click();
        waitText(By.id("editor-key"), "/app/config/db");
        assertEquals("JSON", visible(By.id("value-kind")).getText());
        assertTrue(visible(By.id("value-view")).getText().contains("\"host\": \"db-2\""));
        shot("keys");

        // edit while someone else writes the key: the save is refused and shows what is there now
        visible(By.id("value-edit")).click();
        WebElement area = visible(By.id("value-editor"));
        area.clear();
        area.sendKeys("{\"host\":\"db-3\"}");
        client.put("/app/config/db", "{\"host\":\"db-from-elsewhere\"}");
        browser.findElement(By.id("value-save")).click();
        waitText(By.id("conflict"), "Not saved");
        assertTrue(visible(By.id("conflict-current")).getText().contains("db-from-elsewhere"));
        shot("conflict");
        // a second try saves over what the user has now seen
        visible(By.id("value-edit")).click();
        area = visible(By.id("value-editor"));
        area.clear();
        area.sendKeys("{\"host\":\"db-3\"}");
        browser.findElement(By.id("value-save")).click();
        waitText(By.id("value-view"), "db-3");
        assertTrue(client.ok("/v3/kv/range", "{\"key\":\"" + b64("/app/config/db") + "\"}")
                .contains(b64("{\"host\":\"db-3\"}")));

        // history and a diff, then the keyspace as it was at the first version
        visible(By.id("key-history")).click();
        new WebDriverWait(browser, WAIT)
                .until(d -> d.findElements(By.cssSelector("#history-table tbody tr"))
                                .size()
                        >= 4);
        visible(By.id("history-compare")).click();
        new WebDriverWait(browser, WAIT)
                .until(d -> !d.findElements(By.cssSelector("#history-diff .add"))
                                .isEmpty()
                        && !d.findElements(By.cssSelector("#history-diff .del")).isEmpty());
        shot("history");
        WebElement revision = browser.findElement(By.id("tree-revision"));
        revision.sendKeys(String.valueOf(firstRevision - 1));
        revision.sendKeys("\t");
        waitText(By.id("value-view"), "db-1"); // the open key as it was
        visible(treeKey("/app/config/db")); // the tree reloads at that revision, still expanded
        new WebDriverWait(browser, WAIT)
                .until(d -> d.findElements(treeKey("/app/config/cache")).isEmpty()
                        && d.findElements(treeDir("/app/flags/")).isEmpty()); // created later
        shot("keys-at-revision");
        revision.clear();
        revision.sendKeys("\t");

        // what changed under /app/ since then, and one key's two values
        visible(By.id("prefix-diff")).click();
        WebElement diffPrefix = visible(By.id("diff-prefix"));
        diffPrefix.clear();
        diffPrefix.sendKeys("/app/");
        browser.findElement(By.id("diff-from")).sendKeys(String.valueOf(firstRevision - 1));
        browser.findElement(By.id("diff-go")).click();
        waitText(By.id("diff-rows"), "/app/flags/dark-mode");
        String changes = browser.findElement(By.id("diff-rows")).getText();
        assertTrue(
                changes.contains("CREATED /app/config/cache") && changes.contains("MODIFIED /app/config/db"), changes);
        browser.findElement(By.cssSelector("#diff-rows tr[data-key='" + b64("/app/config/db") + "']"))
                .click();
        waitText(By.id("diff-value"), "db-3");
        shot("prefix-diff");

        // search: substring over keys, then a regular expression with an error
        nav("search");
        visible(By.id("search-text")).sendKeys("config");
        browser.findElement(By.id("search-go")).click();
        visible(By.cssSelector("#search-results tr[data-key='" + b64("/app/config/db") + "']"));
        visible(By.cssSelector("#search-results tr[data-key='" + b64("/app/config/cache") + "']"));
        shot("search");
        WebElement text = browser.findElement(By.id("search-text"));
        text.clear();
        text.sendKeys("(");
        browser.findElement(By.id("search-regex")).click();
        browser.findElement(By.id("search-go")).click();
        waitText(By.id("search-status"), "invalid regular expression");

        // watch a prefix and see an event arrive
        nav("watch");
        visible(By.id("watch-prefix")).sendKeys("/app/");
        browser.findElement(By.id("watch-start")).click();
        waitText(By.id("watch-status"), "Watching");
        client.put("/app/flags/beta", "yes");
        waitText(By.id("watch-events"), "/app/flags/beta");
        shot("watch");
        browser.findElement(By.id("watch-stop")).click();

        // a lease granted here counts down and disappears when it expires
        nav("leases");
        WebElement ttl = visible(By.id("lease-ttl"));
        ttl.clear();
        ttl.sendKeys("3");
        ttl.submit();
        visible(By.cssSelector("#lease-rows tr[data-lease]"));
        shot("leases");
        new WebDriverWait(browser, Duration.ofSeconds(30))
                .until(d -> d.findElements(By.cssSelector("#lease-rows tr[data-lease]"))
                        .isEmpty());
        // many leases: a page of 50 at a time (TimeToLive asked only for the page shown)
        for (int i = 0; i < 120; i++) {
            client.ok("/v3/lease/grant", "{\"TTL\":\"600\"}");
        }
        browser.findElement(By.id("lease-refresh")).click();
        waitText(By.id("lease-page"), "Leases 1–50 of 120 (page 1 of 3)");
        assertEquals(
                50,
                browser.findElements(By.cssSelector("#lease-rows tr[data-lease]"))
                        .size());
        String firstPage = browser.findElement(By.id("lease-rows")).getText();
        browser.findElement(By.id("lease-next")).click();
        waitText(By.id("lease-page"), "Leases 51–100 of 120");
        assertTrue(!browser.findElement(By.id("lease-rows")).getText().equals(firstPage));
        browser.findElement(By.id("lease-next")).click();
        waitText(By.id("lease-page"), "Leases 101–120 of 120 (page 3 of 3)");
        new WebDriverWait(browser, WAIT)
                .until(d -> d.findElements(By.cssSelector("#lease-rows tr[data-lease]"))
                                .size()
                        == 20);
        assertTrue(!browser.findElement(By.id("lease-next")).isEnabled());

        // the cluster: one member, the leader
        nav("cluster");
        waitText(By.id("cluster-members"), "leader");
        waitText(By.cssSelector("#cluster-members td.lag"), "0"); // the leader's own log: no lag
        // its Status, from the members endpoint: healthy, its term, applied index and DB sizes
        waitText(By.cssSelector("#cluster-members td.health"), "healthy");
        assertTrue(browser.findElement(By.cssSelector("#cluster-members td.term"))
                .getText()
                .matches("[1-9][0-9]*"));
        assertTrue(browser.findElement(By.cssSelector("#cluster-members td.applied"))
                .getText()
                .matches("[1-9][0-9]*"));
        assertTrue(browser.findElement(By.cssSelector("#cluster-members td.db-size"))
                .getText()
                .matches(".*B"));
        waitText(By.id("cluster-fanout"), "asked of every member");
        visible(By.id("usage-go")).click();
        waitText(By.id("usage-status"), "Done");
        waitText(By.id("usage-rows"), "/app/");
        shot("cluster");

        // auth: users and roles as root sees them; a permission granted here takes effect
        nav("auth");
        waitText(By.id("auth-state"), "Auth is enabled");
        visible(By.cssSelector("#user-rows tr[data-user='alice']"));
        WebElement permKey = visible(By.cssSelector("#role-rows tr[data-role='reader'] .perm-key"));
        permKey.sendKeys("/shared/");
        browser.findElement(By.cssSelector("#role-rows tr[data-role='reader'] .perm-form button"))
                .click();
        waitText(By.cssSelector("#role-rows tr[data-role='reader']"), "/shared/");
        String alice = client.login("alice", "alicepw");
        assertEquals(
                200,
                client.post("/v3/kv/range", "{\"key\":\"" + b64("/shared/x") + "\"}", alice)
                        .statusCode());
        shot("auth");

        // live charts from the member's metrics
        nav("metrics");
        new WebDriverWait(browser, WAIT)
                .until(d -> d.findElement(By.id("chart-keys")).getText().matches("[0-9.]+"));
        client.put("/app/flags/gamma", "1");
        new WebDriverWait(browser, WAIT)
                .until(d -> !d.findElement(By.id("chart-writes")).getText().equals("…"));
        shot("metrics");
        assertEquals(List.of(), browser.findElements(By.cssSelector("#message.error:not([hidden])")));
    }

    /** A port free now (the members bind it a moment later). */
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Three members with TLS on their peer port (--peer-auto-tls): the console of one shows every member's health,
     * term, applied index and DB size, asked over the peer port; a stopped member turns unhealthy, with why.
     */
    @Test
    void threeMembersAndOneStopped() throws Exception {
        List<String> clientUrls = new ArrayList<>();
        List<String> peerUrls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clientUrls.add("http://127.0.0.1:" + freePort());
            peerUrls.add("https://127.0.0.1:" + freePort());
        }
        String initial = "m0=" + peerUrls.get(0) + ",m1=" + peerUrls.get(1) + ",m2=" + peerUrls.get(2);
        List<EtcdjServer> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                ConfigLoader.Result r = ConfigLoader.load(
                        new String[] {
                            "--name",
                            "m" + i,
                            "--data-dir",
                            dir.resolve("cluster/m" + i).toString(),
                            "--listen-client-urls",
                            clientUrls.get(i),
                            "--advertise-client-urls",
                            clientUrls.get(i),
                            "--listen-peer-urls",
                            peerUrls.get(i),
                            "--initial-advertise-peer-urls",
                            peerUrls.get(i),
                            "--initial-cluster",
                            initial,
                            "--peer-auto-tls"
                        },
                        Map.of());
                members.add(EtcdjServer.start(EtcdjMain.toMemberConfig(((ConfigLoader.Start) r).config())));
            }
            browser.get(clientUrls.get(0) + "/ui/");
            visible(By.cssSelector("#nav button[data-view='cluster']"));
            nav("cluster");
            // all three healthy once a leader is elected (Refresh until then)
            new WebDriverWait(browser, WAIT).until(d -> {
                if (d.findElements(By.cssSelector("#cluster-members td.health.healthy"))
                                .size()
                        == 3) {
                    return true;
                }
                d.findElement(By.id("cluster-refresh")).click();
                return false;
            });
            for (WebElement term : browser.findElements(By.cssSelector("#cluster-members td.term"))) {
                assertTrue(term.getText().matches("[1-9][0-9]*"), term.getText());
            }
            // every member's lag, whether this console is the leader's (match index; a follower whose reply the
            // leader has not had since its last quorum check says so) or not (applied index)
            for (WebElement lag : browser.findElements(By.cssSelector("#cluster-members td.lag"))) {
                assertTrue(lag.getText().matches("[0-9]+( \\((applied|not heard from)\\))?"), lag.getText());
            }
            members.get(2).close(); // m2 stops: its row turns unhealthy, saying why
            browser.findElement(By.id("cluster-refresh")).click();
            new WebDriverWait(browser, WAIT).until(d -> {
                if (!d.findElements(By.cssSelector("#cluster-members td.health.unhealthy"))
                        .isEmpty()) {
                    return true;
                }
                d.findElement(By.id("cluster-refresh")).click();
                return false;
            });
            WebElement down = browser.findElement(By.cssSelector("#cluster-members td.health.unhealthy"));
            assertTrue(
                    down.getText().contains("UNAVAILABLE") || down.getText().contains("DEADLINE_EXCEEDED"),
                    down.getText());
            assertEquals(
                    2,
                    browser.findElements(By.cssSelector("#cluster-members td.health.healthy"))
                            .size());
            shot("cluster-members");
        } finally {
            for (EtcdjServer m : members) {
                m.close();
            }
        }
    }
}
