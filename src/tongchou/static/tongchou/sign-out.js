/* Signing out of a shared phone: what this site's pages kept in localStorage for the user
 * goes with the session, so whoever picks the phone up next finds nothing of theirs (the
 * sampler's tubes and offline queue, static/testing/sampler.js).
 *
 * The sign-out form (templates/base.html) says whose stores they are and what to say:
 *
 *   <form data-sign-out data-user="7" data-unsent="... {n} ..." data-offline="...">
 *
 * A page's store is named "tongchou.<page>.<user id>". One holding work the server has not
 * had yet (a non-empty "queue") is lost with it, so the user is asked first; saying no
 * keeps the session and the store. Offline, the sign-out could not reach the server: the
 * store would be gone and the session still open, so the form is not sent at all. The
 * page's own script hears "tongchou:sign-out" and stops writing its store. A file, not an
 * inline script: the Content-Security-Policy runs scripts from this site only.
 */
(function () {
  "use strict";

  function storesOf(user) {
    const keys = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const parts = (localStorage.key(i) || "").split(".");
      if (parts.length === 3 && parts[0] === "tongchou" && parts[2] === user) {
        keys.push(parts.join("."));
      }
    }
    return keys;
  }

  function unsent(key) {
    try {
      const queue = JSON.parse(localStorage.getItem(key)).queue;
      return Array.isArray(queue) ? queue.length : 0;
    } catch (e) {
      return 0; // not a store with a queue
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-sign-out")) return;
    if (!navigator.onLine) {
      event.preventDefault();
      window.alert(form.dataset.offline || "");
      return;
    }
    let keys;
    try {
      keys = storesOf(form.dataset.user || "");
    } catch (e) {
      return; // storage switched off: nothing was kept
    }
    const waiting = keys.reduce((n, key) => n + unsent(key), 0);
    if (waiting && !window.confirm((form.dataset.unsent || "").replace("{n}", waiting))) {
      event.preventDefault();
      return;
    }
    document.dispatchEvent(new CustomEvent("tongchou:sign-out"));
    keys.forEach((key) => localStorage.removeItem(key));
  });
})();
