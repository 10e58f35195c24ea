// Creates or updates SCRAM-SHA-512 users, for the launcher, which cannot do it with kafkajs (it
// has no AlterUserScramCredentials) nor through the controller listener (3.9 does not serve that
// API there). Run as a single-file source program:
//   java -cp '<kafka libs>/*' ScramUsers.java <bootstrap host:port> [sasl]
// with `user<TAB>name<TAB>password` lines on standard input for the users to upsert and, with
// `sasl`, one `login<TAB>name<TAB>password` line for the administrator it logs in as (otherwise
// it connects over PLAINTEXT: the launcher's one-off upgrade listener). Secrets never go in argv.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class ScramUsers {
  public static void main(String[] args) throws Exception {
    List<UserScramCredentialAlteration> changes = new ArrayList<>();
    String loginName = null;
    String loginPassword = null;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] f = line.split("\t", 3);
      if (f.length != 3) continue;
      if (f[0].equals("login")) {
        loginName = f[1];
        loginPassword = f[2];
      } else if (f[0].equals("user")) {
        changes.add(new UserScramCredentialUpsertion(
            f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), f[2]));
      }
    }
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("request.timeout.ms", "30000");
    if (args.length > 1 && args[1].equals("sasl")) {
      props.put("security.protocol", "SASL_PLAINTEXT");
      props.put("sasl.mechanism", "SCRAM-SHA-512");
      props.put("sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + loginName + "\" password=\"" + loginPassword + "\";");
    }
    try (Admin admin = Admin.create(props)) {
      admin.alterUserScramCredentials(changes).all().get();
    }
    System.out.println("scram users upserted: " + changes.size());
  }
}
