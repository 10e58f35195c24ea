package org.homeward.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Homeward agency client example (Java 17): submit a report over HTTP with the agency's API key,
 * produce it to the agency's own Kafka topic with SASL/SCRAM-SHA-512, and receive a unit's alert
 * webhooks, verifying their Standard Webhooks signature. Settings come from the environment (see
 * README.md).
 *
 * <pre>
 *   java -cp 'target/homeward-agency-example.jar:target/lib/*' org.homeward.examples.AgencyClient submit [--id ID] [--data FILE]
 *   ... AgencyClient produce [--id ID] [--data FILE]
 *   ... AgencyClient webhook [--port 9000]
 * </pre>
 */
public final class AgencyClient {
  static final String REPORT_TYPE = "homeward.report.submitted";
  static final ObjectMapper JSON = new ObjectMapper();

  private AgencyClient() {}

  /** An RFC 9457 problem answer (type, code, title, detail, errors). */
  static final class ProblemException extends Exception {
    final int status;
    final JsonNode problem;
    final Long retryAfterSeconds;

    ProblemException(int status, JsonNode problem, Long retryAfterSeconds) {
      super(status + " " + problem.path("code").asText() + ": " + problem.path("detail").asText(problem.path("title").asText()));
      this.status = status;
      this.problem = problem;
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Worth retrying with the same event id: rate limited, busy, or the platform away. */
    boolean retriable() {
      if (status == 409) return "INTAKE_ERR_CONCURRENT_UPDATE".equals(problem.path("code").asText());
      return status == 429 || status >= 500;
    }
  }

  /** A report as a CloudEvent: its context attributes and its data. */
  record ReportEvent(String id, String source, String time, JsonNode data) {
    static ReportEvent of(String agencyId, JsonNode data, String id) {
      return new ReportEvent(
          id != null ? id : UUID.randomUUID().toString(),
          "agency/" + agencyId,
          Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(),
          data);
    }

    /** CloudEvents binary mode: context attributes as headers with the given prefix (ce- over HTTP, ce_ on Kafka). */
    Map<String, String> headers(String prefix) {
      return Map.of(
          prefix + "specversion", "1.0",
          prefix + "id", id,
          prefix + "source", source,
          prefix + "type", REPORT_TYPE,
          prefix + "time", time,
          "content-type", "application/json");
    }
  }

  /** The report id intake derives from (agency, event id): what GET /v1/reports/{id} takes. */
  static String reportIdFor(String agencyId, String eventId) throws GeneralSecurityException {
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest(("report\n" + agencyId + "\n" + eventId).getBytes(StandardCharsets.UTF_8));
    String text = Base64.getUrlEncoder().withoutPadding().encodeToString(digest).replace('_', 'x').replace('-', 'y');
    return "rpt-" + text.substring(0, 22);
  }

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException, ProblemException {
    HttpResponse<String> res = HTTP.send(
        request.header("Accept", "application/json, application/problem+json").timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    String ctype = res.headers().firstValue("content-type").orElse("");
    JsonNode body = res.body().isEmpty() ? JSON.nullNode() : ctype.contains("json") ? JSON.readTree(res.body()) : JSON.nullNode();
    if (res.statusCode() >= 400) {
      JsonNode problem = ctype.contains("problem+json") ? body : JSON.createObjectNode().put("code", "HTTP_" + res.statusCode());
      Long retryAfter = res.headers().firstValue("retry-after").filter(v -> v.matches("\\d+")).map(Long::valueOf).orElse(null);
      throw new ProblemException(res.statusCode(), problem, retryAfter);
    }
    ObjectNode out = JSON.createObjectNode().put("status", res.statusCode());
    if (body.isObject()) out.setAll((ObjectNode) body);
    return out;
  }

  /** POSTs the report in binary mode; retries what may succeed later, always with the same ce-id. */
  static JsonNode submit(String baseUrl, String apiKey, ReportEvent event, int attempts) throws Exception {
    for (int attempt = 1; ; attempt++) {
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/reports"))
          .header("Authorization", "Bearer " + apiKey)
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(event.data())));
      event.headers("ce-").forEach(req::header);
      long waitMs;
      try {
        return send(req);
      } catch (ProblemException e) {
        if (!e.retriable() || attempt == attempts) throw e;
        waitMs = e.retryAfterSeconds != null ? e.retryAfterSeconds * 1000 : backoffMs(attempt);
      } catch (ConnectException | HttpTimeoutException e) {
        if (attempt == attempts) throw e;
        waitMs = backoffMs(attempt);
      }
      Thread.sleep(waitMs);
    }
  }

  static long backoffMs(int attempt) {
    return ThreadLocalRandom.current().nextLong(Math.min(8_000, 250L << attempt) + 1);
  }

  /** The report's status, or null while intake has not stored it (or refused it). */
  static JsonNode reportStatus(String baseUrl, String apiKey, String reportId) throws Exception {
    try {
      return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/reports/" + reportId))
          .header("Authorization", "Bearer " + apiKey).GET());
    } catch (ProblemException e) {
      if (e.status == 404) return null;
      throw e;
    }
  }

  /** Produces the report to agency.reports.v1.&lt;agencyId&gt;: binary mode, key = event id, acks=all, idempotent. */
  static void produce(ReportEvent event, String agencyId, String brokers, String password, String topicPrefix, String caFile)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "agency." + agencyId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    p.put("security.protocol", caFile != null ? "SASL_SSL" : "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + "agency." + agencyId + "\" password=\"" + password.replace("\"", "\\\"") + "\";");
    if (caFile != null) {
      p.put("ssl.truststore.type", "PEM");
      p.put("ssl.truststore.location", caFile);
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      ProducerRecord<String, String> record = new ProducerRecord<>(
          topicPrefix + "agency.reports.v1." + agencyId, event.id(), JSON.writeValueAsString(event.data()));
      event.headers("ce_").forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
      producer.send(record).get(90, TimeUnit.SECONDS);
    }
  }

  /**
   * Verifies a Standard Webhooks signature: {@code webhook-signature} holds space-separated
   * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">} entries, keyed with the secret (its
   * {@code whsec_} prefix, if any, removed and base64-decoded; otherwise its UTF-8 bytes); the
   * timestamp must be within five minutes of now. Returns null when valid, the reason otherwise.
   */
  static String verifyWebhook(String secret, String id, String timestamp, String signatures, byte[] body) throws Exception {
    if (id == null || timestamp == null || signatures == null) return "missing webhook headers";
    long ts;
    try {
      ts = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return "bad webhook-timestamp";
    }
    if (Math.abs(Instant.now().getEpochSecond() - ts) > 300) return "timestamp outside the tolerance";
    byte[] key = secret.startsWith("whsec_")
        ? Base64.getDecoder().decode(secret.substring("whsec_".length()))
        : secret.getBytes(StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    byte[] expected = mac.doFinal(body);
    for (String entry : signatures.split(" ")) {
      String[] parts = entry.split(",", 2);
      if (parts.length != 2 || !"v1".equals(parts[0])) continue;
      byte[] given;
      try {
        given = Base64.getDecoder().decode(parts[1]);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (MessageDigest.isEqual(expected, given)) return null; // constant time
    }
    return "no matching signature";
  }

  /** An HTTP server that accepts only correctly signed webhooks (204) and refuses the rest (401). */
  static HttpServer webhookServer(String host, int port, String secret) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        byte[] body = exchange.getRequestBody().readAllBytes();
        var h = exchange.getRequestHeaders();
        String reason = verifyWebhook(secret, h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"), h.getFirst("webhook-signature"), body);
        if (reason != null) {
          System.out.println(JSON.createObjectNode().put("verified", false).put("reason", reason));
          exchange.sendResponseHeaders(401, -1);
          return;
        }
        // The CloudEvent in structured mode. Deliveries are at least once: the webhook-id is the
        // same on every retry of one delivery, so a receiver drops repeats by it.
        JsonNode event = JSON.readTree(body);
        System.out.println(JSON.createObjectNode().put("verified", true).put("webhookId", h.getFirst("webhook-id"))
            .put("type", event.path("type").asText()).put("subject", event.path("subject").asText()));
        exchange.sendResponseHeaders(204, -1);
      } catch (Exception e) {
        exchange.sendResponseHeaders(500, -1);
      }
    });
    return server;
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    if (v != null && !v.isEmpty()) return v;
    if (fallback != null) return fallback;
    System.err.println("set " + name + " (see README.md)");
    System.exit(64);
    return null;
  }

  static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
  }

  static JsonNode exampleReport(String region) {
    ObjectNode r = JSON.createObjectNode().put("kind", "missing-child");
    r.putObject("child").put("name", "Example Child").put("sex", "female").put("birthDate", "2019-05-04");
    r.putObject("lastSeen").put("at", Instant.now().minus(30, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString())
        .put("place", "Hefei South Railway Station").put("lat", 31.7995).put("lon", 117.2906).put("region", region);
    r.putObject("reporter").put("name", "Example Parent").put("phone", "+86 551 0000 0000");
    return r;
  }

  public static void main(String[] argv) throws Exception {
    List<String> args = List.of(argv);
    String command = args.isEmpty() ? "" : args.get(0);
    if (command.equals("webhook")) {
      HttpServer server = webhookServer(option(args, "--host", "127.0.0.1"),
          Integer.parseInt(option(args, "--port", env("PORT", "9000"))), env("HOMEWARD_WEBHOOK_SECRET", null));
      server.start();
      System.out.println(JSON.createObjectNode().put("listening", server.getAddress().getPort()));
      return;
    }
    if (!command.equals("submit") && !command.equals("produce")) {
      System.err.println("usage: AgencyClient submit|produce [--id ID] [--data FILE] [--region CODE] | webhook [--port N]");
      System.exit(64);
    }
    String agency = env("HOMEWARD_AGENCY_ID", null);
    String dataFile = option(args, "--data", null);
    JsonNode data = dataFile != null ? JSON.readTree(Files.readString(Path.of(dataFile))) : exampleReport(option(args, "--region", "340100"));
    ReportEvent event = ReportEvent.of(agency, data, option(args, "--id", null));
    String baseUrl = env("HOMEWARD_INTAKE_URL", "http://127.0.0.1:8081");
    String apiKey = env("HOMEWARD_API_KEY", null);
    try {
      if (command.equals("submit")) {
        System.out.println(submit(baseUrl, apiKey, event, 5));
        return;
      }
      produce(event, agency, env("HOMEWARD_KAFKA_BROKERS", "127.0.0.1:9092"), env("HOMEWARD_KAFKA_PASSWORD", null),
          env("HOMEWARD_TOPIC_PREFIX", ""), System.getenv("HOMEWARD_KAFKA_CA_FILE"));
      String reportId = reportIdFor(agency, event.id());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(env("HOMEWARD_OUTCOME_WAIT_SECONDS", "30")));
      while (System.nanoTime() < deadline) {
        JsonNode status = reportStatus(baseUrl, apiKey, reportId);
        if (status != null) {
          ObjectNode out = JSON.createObjectNode().put("produced", event.id());
          out.setAll((ObjectNode) status);
          System.out.println(out);
          return;
        }
        Thread.sleep(500);
      }
      // Not stored: still queued, or refused (the reason is in agency.reports.v1.dlq, read by operators).
      System.out.println(JSON.createObjectNode().put("produced", event.id()).put("reportId", reportId).put("status", "unknown"));
      System.exit(3);
    } catch (ProblemException e) {
      ObjectNode out = JSON.createObjectNode().put("status", e.status);
      out.set("problem", e.problem);
      System.out.println(out);
      System.exit(2);
    }
  }
}
