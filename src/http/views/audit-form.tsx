/** The domain audit form (GET, so a report has a link to share). */
export interface AuditFormValues {
  domain?: string;
  ip?: string;
  helo?: string;
  selector?: string;
}

export function AuditForm(props: { values?: AuditFormValues }) {
  const v = props.values ?? {};
  return (
    <form method="get" action="/audit" class="inline" role="search" aria-label="Domain audit">
      <div class="field">
        <label for="audit-domain">Domain</label>
        <input id="audit-domain" name="domain" required value={v.domain ?? ''} placeholder="example.com" />
      </div>
      <div class="field">
        <label for="audit-ip">
          Sending IP <span class="hint">(optional)</span>
        </label>
        <input id="audit-ip" name="ip" value={v.ip ?? ''} placeholder="192.0.2.10" />
      </div>
      <div class="field">
        <label for="audit-helo">
          HELO name <span class="hint">(optional)</span>
        </label>
        <input id="audit-helo" name="helo" value={v.helo ?? ''} placeholder="mail.example.com" />
      </div>
      <div class="field">
        <label for="audit-selector">
          DKIM selector <span class="hint">(optional)</span>
        </label>
        <input id="audit-selector" name="selector" value={v.selector ?? ''} placeholder="s1" />
      </div>
      <button type="submit" class="primary">
        Audit
      </button>
    </form>
  );
}
