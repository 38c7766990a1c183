/* The sampler's phone page (templates/testing/sampler.html): open a tube, scan people
 * into it, seal it, through a lost connection.
 *
 * Why it works this way:
 * - Sampling sites lose their connection (a basement, a crowd on one cell). So every
 *   action (open a tube, a scan, seal) is first put in a queue kept in localStorage,
 *   and only then sent. The queue is sent in order, and an item leaves it only when
 *   the server has answered it: a reload, a crash or an hour offline loses nothing.
 * - Each scan carries an idempotency key made on this phone. The server stores a key
 *   once, so sending a scan again after a lost answer never samples anyone twice.
 * - The count on screen is optimistic (a scan still waiting counts); when the server
 *   answers, its outcome replaces the guess (an excluded person drops out again).
 * - A shared phone keeps as little of anyone as it can: a scan's personal code only until
 *   the server has taken it (or while the sampler may send it again), never a name or a
 *   masked ID number, which come with the server's answer and stay in this page's memory;
 *   a sealed tube's scans are forgotten, and signing out removes the store
 *   (static/tongchou/sign-out.js).
 * - No framework, no build step: the platform runs on closed networks and this file
 *   is served as written. Every word shown comes from the page (translated there).
 */
(function () {
  "use strict";

  const root = document.getElementById("sampler");
  if (!root) return;
  const config = JSON.parse(document.getElementById("sampler-config").textContent);
  const text = config.text;
  const csrfToken = root.dataset.csrf;

  // One store per user: a phone handed to another sampler never sends the first
  // one's scans under the second one's name.
  const STORE_KEY = "tongchou.sampler." + config.user;
  const MAX_BATCH = 100;
  // A code over 64 characters is nobody's: refused at once, not queued (the API would
  // answer that scan with an error too).
  const MAX_CODE = 64;
  const REQUEST_TIMEOUT_MS = 15000;
  const RETRY_MAX_MS = 30000;
  const KEEP_FINISHED_TUBES = 10;
  const COUNTED = new Set(["added", "pending"]);
  const NEEDS_ACTION = new Set([
    "already_sampled", "unknown_code", "tube_full", "tube_closed", "excluded", "error",
  ]);
  // The outcomes whose scan the sampler may send again, so whose code is still needed.
  const RESENDABLE = new Set(["already_sampled", "tube_full", "tube_closed", "error"]);

  // --- what is kept on the phone ----------------------------------------------------

  function newDeviceId() {
    // crypto.randomUUID exists only on https pages; a district's intranet server may
    // well be plain http, where getRandomValues still works.
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function load() {
    try {
      const stored = JSON.parse(localStorage.getItem(STORE_KEY));
      if (stored && Array.isArray(stored.queue)) return stored;
    } catch (e) {
      // Unreadable storage is started afresh below; there is nothing better to do.
    }
    // tubes: barcode -> {barcode, site, kind, capacity, status, entries, openedAt}
    // current: site id -> barcode of the tube being filled there
    return { device: newDeviceId(), seq: 0, queue: [], tubes: {}, current: {} };
  }

  let state = load();
  const ui = {
    notice: null,
    syncing: false,
    failures: 0,
    nextTry: 0,
    signedOut: false,
    signingOut: false,
  };

  function save() {
    // Signing out has removed the store: an answer arriving meanwhile must not write it back.
    if (ui.signingOut) return;
    localStorage.setItem(STORE_KEY, JSON.stringify(stored()));
  }

  function awaitsSampler(entry) {
    return NEEDS_ACTION.has(entry.outcome) && !entry.dismissed;
  }

  /** The state as the phone keeps it: what the queue and the sampler still need, and
   * nothing of a person the server has answered for (see the top of this file). */
  function stored() {
    const tubes = {};
    for (const [barcode, tube] of Object.entries(state.tubes)) {
      tubes[barcode] = { ...tube, entries: tube.entries.map(storedEntry) };
    }
    return { ...state, tubes };
  }

  function storedEntry(entry) {
    const kept = { key: entry.key, outcome: entry.outcome, message: entry.message || "" };
    for (const field of ["resample_reason", "walkInKey", "dismissed"]) {
      if (entry[field]) kept[field] = entry[field];
    }
    const resendable = RESENDABLE.has(entry.outcome) && !entry.dismissed;
    if (entry.code && (entry.outcome === "pending" || resendable)) kept.code = entry.code;
    return kept;
  }

  /** A key no other scan from any phone has: this phone's random id and a counter. */
  function newKey() {
    state.seq += 1;
    return state.device + "-" + state.seq;
  }

  function tokenOf(code) {
    const trimmed = (code || "").trim();
    return trimmed.startsWith(config.personalCodePrefix)
      ? trimmed.slice(config.personalCodePrefix.length)
      : trimmed;
  }

  function currentTube() {
    const barcode = state.current[config.site];
    return barcode ? state.tubes[barcode] || null : null;
  }

  function counted(tube) {
    return tube.entries.filter((e) => COUNTED.has(e.outcome)).length;
  }

  function findEntry(key) {
    for (const tube of Object.values(state.tubes)) {
      const entry = tube.entries.find((e) => e.key === key);
      if (entry) return { tube, entry };
    }
    return null;
  }

  /** The tube a person is sent (again) into: their own if still open, else the current. */
  function targetTube(tube) {
    if (tube && tube.status === "open") return tube;
    const current = currentTube();
    return current && current.status === "open" ? current : null;
  }

  function moveEntry(entry, from, to) {
    if (from === to) return;
    from.entries = from.entries.filter((e) => e !== entry);
    to.entries.push(entry);
  }

  // --- actions on the page ------------------------------------------------------------

  function enqueue(op) {
    state.queue.push(op);
    save();
    render();
    sync();
  }

  function enqueueScan(entry, tube) {
    enqueue({
      type: "scan",
      id: entry.key,
      key: entry.key,
      tube: tube.barcode,
      code: entry.code,
      resample_reason: entry.resample_reason || "",
      // The time of the swab, not of the upload an hour later.
      scanned_at: new Date().toISOString(),
    });
  }

  function openTube(rawBarcode, kind) {
    const barcode = rawBarcode.trim();
    if (!barcode) return;
    ui.notice = null;
    if (barcode.startsWith(config.personalCodePrefix)) {
      showNotice("danger", text.notATube);
      return;
    }
    const known = state.tubes[barcode];
    if (known && known.status === "open" && known.site === config.site) {
      // The same tube scanned again (after a reload, say): carry on filling it.
      state.current[config.site] = barcode;
      save();
      render();
      return;
    }
    if (known) {
      showNotice("danger", text.usedBarcode, barcode);
      return;
    }
    state.tubes[barcode] = {
      barcode,
      site: config.site,
      kind,
      capacity: config.capacity[kind],
      status: "open",
      entries: [],
      openedAt: Date.now(),
    };
    state.current[config.site] = barcode;
    enqueue({ type: "open", id: newKey(), site: config.site, barcode, kind });
  }

  function scan(rawCode) {
    const code = rawCode.trim();
    if (!code) return;
    ui.notice = null;
    const tube = currentTube();
    if (!tube || tube.status !== "open") {
      showNotice("warning", text.noTube);
      return;
    }
    if (code.length > MAX_CODE) {
      showNotice("danger", text.tooLong);
      return;
    }
    // Answered here, as the server would: the same person twice in one tube.
    const token = tokenOf(code);
    const same = tube.entries.find((e) => COUNTED.has(e.outcome) && tokenOf(e.code) === token);
    if (same) {
      showNotice("warning", text.outcomes.duplicate, "", same);
      return;
    }
    if (counted(tube) >= tube.capacity) {
      showNotice("warning", text.outcomes.tube_full);
      return;
    }
    const entry = { key: newKey(), code, outcome: "pending", name: "", masked_id: "" };
    tube.entries.push(entry);
    enqueueScan(entry, tube);
  }

  function seal() {
    const tube = currentTube();
    if (!tube) return;
    ui.notice = null;
    if (counted(tube) === 0) {
      showNotice("warning", text.emptyTube);
      return;
    }
    tube.status = "sealing";
    state.current[config.site] = null;
    enqueue({ type: "seal", id: newKey(), tube: tube.barcode });
    // Online, the "sealed" answer follows at once; offline, say that it will.
    if (!navigator.onLine) showNotice("info", text.sealQueued, tube.barcode);
    focus("tube-barcode");
  }

  /** Send someone again: with a reason (already sampled), or into a new tube. */
  function resend(key, reason) {
    const found = findEntry(key);
    if (!found) return;
    const { tube, entry } = found;
    const target = targetTube(tube);
    if (!target) {
      showNotice("warning", text.noTube);
      return;
    }
    if (entry.outcome === "already_sampled" && !reason.trim()) {
      showNotice("warning", text.reasonNeeded, "", entry);
      return;
    }
    if (counted(target) >= target.capacity) {
      showNotice("warning", text.outcomes.tube_full);
      return;
    }
    leaveAttention();
    moveEntry(entry, tube, target);
    Object.assign(entry, {
      key: newKey(),
      outcome: "pending",
      message: "",
      resample_reason: reason.trim(),
    });
    ui.notice = null;
    enqueueScan(entry, target);
  }

  function dismiss(key) {
    const found = findEntry(key);
    if (!found) return;
    found.entry.dismissed = true;
    // What needs no more action needs no token kept on the phone either.
    delete found.entry.code;
    leaveAttention();
    save();
    render();
  }

  /** A walk-in's registration is not queued: the server checks the ID number, and the
   * sampler must know at once whether it was taken. */
  async function walkIn(key, form) {
    const found = findEntry(key);
    if (!found) return;
    const { tube, entry } = found;
    const error = form.querySelector(".walk-in-error");
    const target = targetTube(tube);
    if (!target) {
      error.textContent = text.noTube;
      return;
    }
    if (!navigator.onLine) {
      error.textContent = text.needsConnection;
      return;
    }
    // Kept until it is answered: pressing again after a lost answer is then a replay
    // the server recognises, not a second scan.
    entry.walkInKey = entry.walkInKey || newKey();
    const walkInKey = entry.walkInKey;
    save();
    const fields = new FormData(form);
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const { status, data } = await post(config.urls.walkIn, {
        tube: target.barcode,
        key: walkInKey,
        name: fields.get("name"),
        id_number: fields.get("id_number"),
        phone: fields.get("phone"),
      });
      if (status !== 200) {
        error.textContent = detailOf(data);
        return;
      }
      const now = findEntry(key); // the queue may have moved things meanwhile
      if (!now) return;
      moveEntry(now.entry, now.tube, target);
      delete now.entry.code;
      delete now.entry.walkInKey;
      now.entry.key = walkInKey;
      applyAnswer(now.entry, data);
      ui.notice = null;
      leaveAttention();
      save();
      render();
    } catch (e) {
      error.textContent = e instanceof SignedOut ? text.signedOut : text.needsConnection;
    } finally {
      button.disabled = false;
    }
  }

  // --- talking to the server ----------------------------------------------------------

  class SignedOut extends Error {}
  class NoAnswer extends Error {}

  /** POST JSON; resolves with a definite answer (2xx, 400, 404) or throws: NoAnswer
   * (offline, timeout, a proxy's error page) is retried later, SignedOut as well. */
  async function post(url, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          // DRF's session authentication checks CSRF; the cookie is HttpOnly, so the
          // token comes from the page.
          "X-CSRFToken": csrfToken,
        },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (e) {
      throw new NoAnswer(String(e));
    } finally {
      clearTimeout(timer);
    }
    // 401/403: the session ended (30 minutes idle) or the page's CSRF token is stale.
    if (response.status === 401 || response.status === 403) throw new SignedOut();
    const type = response.headers.get("Content-Type") || "";
    if (response.status >= 500 || response.status === 429 || !type.includes("json")) {
      throw new NoAnswer("HTTP " + response.status);
    }
    let data;
    try {
      data = await response.json();
    } catch (e) {
      throw new NoAnswer("truncated answer");
    }
    return { status: response.status, data };
  }

  function detailOf(data) {
    if (!data || typeof data !== "object") return "";
    const detail = data.detail !== undefined ? data.detail : Object.values(data).flat();
    return Array.isArray(detail) ? detail.join("；") : String(detail);
  }

  function dequeue(ids) {
    const done = new Set(ids);
    state.queue = state.queue.filter((op) => !done.has(op.id));
  }

  function applyAnswer(entry, answer) {
    entry.outcome = answer.outcome;
    entry.message = answer.message || "";
    entry.name = answer.name || entry.name || "";
    entry.masked_id = answer.masked_id || entry.masked_id || "";
    entry.other_zone = Boolean(answer.other_zone);
  }

  async function sendOpen(op) {
    const { status, data } = await post(config.urls.open, {
      site: op.site,
      barcode: op.barcode,
      kind: op.kind,
    });
    dequeue([op.id]);
    const tube = state.tubes[op.barcode];
    if (status === 201) return;
    // Refused for good (a used barcode, a round not running): its scans will come
    // back refused too, and show under "needs attention" to be scanned again.
    if (tube) {
      tube.status = "rejected";
      if (state.current[tube.site] === tube.barcode) state.current[tube.site] = null;
    }
    showNotice("danger", text.tubeNotOpened, op.barcode + "：" + detailOf(data));
  }

  async function sendScans() {
    const batch = [];
    for (const op of state.queue) {
      if (op.type !== "scan" || batch.length >= MAX_BATCH) break;
      batch.push(op);
    }
    const { status, data } = await post(config.urls.batch, {
      scans: batch.map((op) => ({
        tube: op.tube,
        code: op.code,
        key: op.key,
        resample_reason: op.resample_reason,
        scanned_at: op.scanned_at,
      })),
    });
    const answers =
      status === 200
        ? data.results
        : batch.map((op) => ({ key: op.key, outcome: "error", message: detailOf(data) }));
    for (const answer of answers) {
      const found = findEntry(answer.key);
      if (found) applyAnswer(found.entry, answer);
    }
    // Only what was answered leaves the queue; an answer with none of them in it is
    // treated as no answer, or sync() would send the same batch again at once, forever.
    const answered = new Set(answers.map((a) => a.key));
    if (!batch.some((op) => answered.has(op.key))) throw new NoAnswer("no scan answered");
    dequeue(batch.filter((op) => answered.has(op.key)).map((op) => op.id));
  }

  async function sendSeal(op) {
    const { status, data } = await post(config.urls.seal, { tube: op.tube });
    dequeue([op.id]);
    const tube = state.tubes[op.tube];
    if (status === 200) {
      if (tube) {
        tube.status = "sealed";
        // Its scans are the lab's business now; only those the sampler must still act
        // on stay (under "needs attention").
        tube.entries = tube.entries.filter(awaitsSampler);
      }
      showNotice("success", text.sealed, op.tube + " · " + data.count);
      return;
    }
    // Refused (every scan in it was refused, say): the tube is open again to fill,
    // unless it was never opened on the server at all.
    if (tube && tube.status === "sealing") {
      tube.status = "open";
      if (!state.current[tube.site]) state.current[tube.site] = tube.barcode;
    }
    showNotice("danger", text.tubeNotSealed, op.tube + "：" + detailOf(data));
  }

  /** Send the queue, oldest first, until it is empty or the server cannot be reached. */
  async function sync() {
    if (ui.syncing || !state.queue.length) return;
    // While the phone knows it is offline, trying only drains the battery; the
    // "online" event starts again.
    if (!navigator.onLine || Date.now() < ui.nextTry) {
      render();
      return;
    }
    ui.syncing = true;
    try {
      while (state.queue.length) {
        const head = state.queue[0];
        if (head.type === "scan") await sendScans();
        else if (head.type === "open") await sendOpen(head);
        else await sendSeal(head);
        save();
        render();
      }
      ui.failures = 0;
      ui.signedOut = false;
    } catch (e) {
      if (!(e instanceof NoAnswer || e instanceof SignedOut)) throw e;
      // Try again later, waiting longer each time, up to half a minute.
      ui.failures += 1;
      ui.nextTry = Date.now() + Math.min(RETRY_MAX_MS, 1000 * 2 ** ui.failures);
      ui.signedOut = e instanceof SignedOut;
    } finally {
      ui.syncing = false;
      prune();
      save();
      render();
    }
  }

  /** Forget old finished tubes, and the tokens of people nothing more is needed for. */
  function prune() {
    const queued = new Set(state.queue.map((op) => op.tube || op.barcode));
    const finished = Object.values(state.tubes)
      .filter((t) => (t.status === "sealed" || t.status === "rejected") && !queued.has(t.barcode))
      .sort((a, b) => b.openedAt - a.openedAt);
    finished.forEach((tube, index) => {
      const open = tube.entries.filter(awaitsSampler);
      for (const e of tube.entries) if (!open.includes(e)) delete e.code;
      if (index >= KEEP_FINISHED_TUBES && !open.length) delete state.tubes[tube.barcode];
    });
  }

  // --- drawing the page ---------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    // Text only, never HTML: names come from the server but are still just text.
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function showNotice(tone, title, detail, entry) {
    ui.notice = { tone, title, detail: detail || "", entry: entry || null };
    render();
  }

  const TONE = {
    added: "success",
    pending: "secondary",
    duplicate: "warning",
    already_sampled: "warning",
    excluded: "danger",
    unknown_code: "danger",
    tube_full: "warning",
    tube_closed: "warning",
    error: "danger",
  };

  function outcomeLabel(entry) {
    if (entry.outcome === "added" && entry.other_zone) return text.otherZone;
    return text.outcomes[entry.outcome] || entry.outcome;
  }

  function who(entry) {
    return entry && entry.name ? entry.name + "  " + entry.masked_id : "";
  }

  function drawNotice(tube) {
    const box = document.getElementById("notice");
    let notice = ui.notice;
    if (!notice && tube && tube.entries.length) {
      // No message of the moment: show the last person scanned and what became of it.
      const last = tube.entries[tube.entries.length - 1];
      notice = {
        tone: TONE[last.outcome] || "secondary",
        title: outcomeLabel(last),
        detail: last.outcome === "pending" ? "" : last.message,
        entry: last,
      };
    }
    box.hidden = !notice;
    if (!notice) return;
    box.className = "alert alert-" + notice.tone;
    box.dataset.outcome = notice.entry && !ui.notice ? notice.entry.outcome : "";
    document.getElementById("notice-title").textContent = notice.title;
    document.getElementById("notice-person").textContent = who(notice.entry);
    document.getElementById("notice-detail").textContent = notice.detail;
  }

  function entryItem(entry) {
    return el(
      "li",
      { class: "list-group-item d-flex justify-content-between gap-2", "data-key": entry.key },
      el("span", {}, who(entry) || "—"),
      el(
        "span",
        { class: "badge text-wrap text-bg-" + (TONE[entry.outcome] || "secondary") },
        outcomeLabel(entry),
      ),
    );
  }

  function attentionItem(tube, entry) {
    const item = el(
      "li",
      { class: "list-group-item", "data-key": entry.key, "data-outcome": entry.outcome },
      el(
        "div",
        { class: "d-flex justify-content-between gap-2" },
        el("strong", {}, outcomeLabel(entry)),
        el("button", {
          type: "button",
          class: "btn-close",
          "aria-label": "×",
          onclick: () => dismiss(entry.key),
        }),
      ),
      el("div", {}, who(entry)),
      el("div", { class: "small text-muted" }, entry.message || ""),
    );
    if (tube !== currentTube()) {
      item.append(el("div", { class: "small" }, text.earlierTube.replace("{barcode}", tube.barcode)));
    }
    if (entry.outcome === "already_sampled") {
      const reason = el("input", {
        class: "form-control form-control-sm",
        name: "reason",
        maxlength: "200",
        placeholder: text.reason,
        "aria-label": text.reason,
      });
      item.append(
        el(
          "form",
          {
            class: "input-group input-group-sm mt-2 resend",
            onsubmit: (event) => {
              event.preventDefault();
              resend(entry.key, reason.value);
            },
          },
          reason,
          el("button", { class: "btn btn-warning", type: "submit" }, text.resend),
        ),
      );
    } else if (entry.outcome === "unknown_code") {
      item.append(walkInForm(entry));
    } else if (entry.code && ["tube_full", "tube_closed", "error"].includes(entry.outcome)) {
      item.append(
        el(
          "button",
          { type: "button", class: "btn btn-sm btn-outline-primary mt-2", onclick: () => resend(entry.key, "") },
          text.sendToOpenTube,
        ),
      );
    }
    return item;
  }

  function walkInForm(entry) {
    const field = (name, label, attrs) =>
      el(
        "div",
        { class: "col-12 col-sm-4" },
        el("input", { class: "form-control form-control-sm", name, placeholder: label, "aria-label": label, ...attrs }),
      );
    const form = el(
      "form",
      {
        class: "row g-2 mt-1 walk-in",
        autocomplete: "off",
        onsubmit: (event) => {
          event.preventDefault();
          walkIn(entry.key, form);
        },
      },
      el("div", { class: "col-12 small fw-semibold" }, text.walkIn),
      field("name", text.name, { required: "", maxlength: "64" }),
      field("id_number", text.idNumber, { required: "", maxlength: "32" }),
      field("phone", text.phone, { maxlength: "32", inputmode: "tel" }),
      el("div", { class: "col-12" }, el("button", { class: "btn btn-sm btn-primary", type: "submit" }, text.register)),
      el("div", { class: "col-12 small text-danger walk-in-error" }),
    );
    return form;
  }

  /** Back to the scan field: the list under "needs attention" is redrawn only when
   * no one is typing in it, and a barcode scanner types wherever the focus is. */
  function leaveAttention() {
    if (document.activeElement) document.activeElement.blur();
    focus("person-code");
  }

  function focus(id) {
    const input = document.getElementById(id);
    if (input && !input.closest("[hidden]")) input.focus();
  }

  function render() {
    const tube = currentTube();
    const waiting = state.queue.length;
    const badge = document.getElementById("sync-waiting");
    badge.dataset.count = String(waiting);
    badge.textContent = waiting ? text.waiting.replace("{n}", waiting) : text.allSynced;
    badge.className = "badge text-bg-" + (waiting ? "warning" : "success");
    document.getElementById("sync-state").textContent = !navigator.onLine
      ? text.offline
      : ui.signedOut
        ? text.signedOut
        : "";

    document.getElementById("open-form").hidden = Boolean(tube);
    document.getElementById("tube").hidden = !tube;
    if (tube) {
      document.getElementById("tube-shown").textContent = tube.barcode;
      document.getElementById("tube-kind").textContent = config.kindLabels[tube.kind] || tube.kind;
      const count = counted(tube);
      const shown = document.getElementById("tube-count");
      shown.textContent = count + " / " + tube.capacity;
      shown.dataset.count = String(count);
      shown.className = "display-6 fw-semibold" + (count >= tube.capacity ? " text-danger" : "");
      document.getElementById("seal").disabled = count === 0;
    }
    drawNotice(tube);

    // Keep an open reason or registration form as it is while answers arrive.
    const attention = document.getElementById("attention-list");
    if (!attention.contains(document.activeElement)) {
      const items = [];
      for (const t of Object.values(state.tubes)) {
        if (t.site !== config.site) continue;
        for (const e of t.entries) {
          if (awaitsSampler(e)) items.push(attentionItem(t, e));
        }
      }
      attention.replaceChildren(...items);
      document.getElementById("attention").hidden = !items.length;
    }

    const entries = document.getElementById("entries");
    entries.replaceChildren(...(tube ? tube.entries.slice().reverse().map(entryItem) : []));
    document.getElementById("entries-section").hidden = !(tube && tube.entries.length);
  }

  // --- wiring -------------------------------------------------------------------------

  document.getElementById("open-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("tube-barcode");
    const kind = document.querySelector("input[name=kind]:checked").value;
    openTube(input.value, kind);
    input.value = "";
    focus(currentTube() ? "person-code" : "tube-barcode");
  });

  // A barcode scanner types the code and presses Enter: the form is submitted and the
  // field is ready for the next person at once.
  document.getElementById("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("person-code");
    scan(input.value);
    input.value = "";
    input.focus();
  });

  document.getElementById("seal").addEventListener("click", seal);

  window.addEventListener("online", () => {
    ui.nextTry = 0;
    sync();
  });
  window.addEventListener("offline", render);
  // The sign-out form's script removes the store as the form is sent.
  document.addEventListener("tongchou:sign-out", () => {
    ui.signingOut = true;
  });
  // Another tab of the same page changed the store: take its version.
  window.addEventListener("storage", (event) => {
    if (event.key === STORE_KEY) {
      state = load();
      render();
    }
  });
  // Retries of the queue; the backoff in sync() decides whether it is time.
  setInterval(() => {
    if (state.queue.length) sync();
  }, 2000);

  save(); // a store written by an earlier version of this page may hold names: rewrite it
  render();
  focus(currentTube() ? "person-code" : "tube-barcode");
  sync();
})();
