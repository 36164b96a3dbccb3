/*
 * Tailor configurator for partner sites.
 *
 *   <script src="https://PORTAL/embed.js" defer></script>
 *   <tailor-configurator product="pc" partner="YOUR-ID" token="TOKEN" locale="en"
 *                        theme='{"primary":"#0a7f5c"}'></tailor-configurator>
 *
 * TOKEN is what your server gets from POST /api/partner/embed-tokens with
 * your partner key (good for a day); orders in the frame carry it.
 *
 * The element frames the portal's embed address (which only your registered
 * origins may frame) and talks to it with versioned messages, checked
 * against the portal's exact origin and never posted to "*". It fires
 * `tailor-ready`, `tailor-resize`, `tailor-change`, `tailor-complete`,
 * `tailor-cancel`, `tailor-theme` (the tokens in force after a theme was
 * accepted) and `tailor-error` events (the message is `event.detail`)
 * and has `setTheme(tokens)`, `setLocale(tag)` and `reset()`. Changing the
 * `locale` or `theme` attribute does the same. The frame's height follows
 * its content. When the frame loads a new page (the order status page is
 * one), the element greets it again in the language and the theme last set, and calls
 * made meanwhile are sent once it is ready. If you serve this file yourself, name the portal with a
 * `portal="https://PORTAL"` attribute.
 */
(() => {
  'use strict';
  const PROTOCOL = 'tailor-embed';
  const VERSION = 1;
  const EVENTS = ['ready', 'resize', 'change', 'complete', 'cancel', 'theme', 'error'];
  const INIT_EVERY_MS = 250;
  const GIVE_UP_AFTER_MS = 30000;
  const script = document.currentScript;
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : null;
  if (customElements.get('tailor-configurator')) return;

  class TailorConfigurator extends HTMLElement {
    static get observedAttributes() { return ['locale', 'theme']; }

    constructor() {
      super();
      this._frame = null;
      this._ready = false;
      this._timer = null;
      this._started = 0;
      // Set by setLocale (or the attribute): the language a new page in the frame starts in.
      this._locale = null;
      // The theme the frame last accepted (its `theme` event): a new page in
      // the frame starts with it, not with the attribute's.
      this._accepted = null;
      // Calls made while a new page in the frame starts, sent when it is ready.
      this._waiting = [];
      this._wasReady = false;
      this._onMessage = this._onMessage.bind(this);
    }

    get portal() {
      const given = this.getAttribute('portal');
      try {
        return given ? new URL(given).origin : scriptOrigin;
      } catch (_) {
        return null;
      }
    }

    get ready() { return this._ready; }

    connectedCallback() {
      if (this._frame) return;
      const product = this.getAttribute('product');
      const partner = this.getAttribute('partner');
      const portal = this.portal;
      if (!product || !partner || !portal) {
        this._emit('error', { code: 'bad-element', message: 'tailor-configurator needs product and partner attributes (and portal when embed.js is served elsewhere)' });
        return;
      }
      const frame = document.createElement('iframe');
      // The token the partner's server got with its key: orders in the
      // frame carry it, so only the partner's own page orders in its name.
      const token = this.getAttribute('token');
      const withToken = token ? `&token=${encodeURIComponent(token)}` : '';
      frame.src = `${portal}/embed/p/${encodeURIComponent(product)}?partner=${encodeURIComponent(partner)}${withToken}`;
      frame.title = this.getAttribute('label') || 'Product configurator';
      frame.setAttribute('allow', 'clipboard-write');
      // Set through the CSSOM, which a host page's style policy allows.
      frame.style.display = 'block';
      frame.style.width = '100%';
      frame.style.border = '0';
      frame.style.height = `${Number(this.getAttribute('height')) || 600}px`;
      // A reload inside the frame is a new page that waits for `init` again.
      let loads = 0;
      frame.addEventListener('load', () => {
        if (loads++ > 0 || !this._ready) this._startInit();
      });
      const root = this.attachShadow({ mode: 'open' });
      root.appendChild(frame);
      this._frame = frame;
      window.addEventListener('message', this._onMessage);
      this._startInit();
    }

    disconnectedCallback() {
      window.removeEventListener('message', this._onMessage);
      clearInterval(this._timer);
      this._timer = null;
    }

    attributeChangedCallback(name, before, after) {
      if (name === 'locale' && after) this._locale = after;
      // Before the first page is ready, its init reads the attributes; after
      // that, a change waits (in _post) for a page that is starting.
      if (!this._wasReady || before === after) return;
      if (name === 'locale' && after) this.setLocale(after);
      if (name === 'theme' && after) this.setTheme(this._theme());
    }

    setTheme(theme) { this._post('setTheme', { theme }); }
    setLocale(locale) {
      this._locale = locale;
      this._post('setLocale', { locale });
    }
    reset() { this._post('reset', {}); }

    _theme() {
      const text = this.getAttribute('theme');
      if (!text) return undefined;
      try {
        return JSON.parse(text);
      } catch (_) {
        this._emit('error', { code: 'invalid-theme', message: 'the theme attribute is not JSON' });
        return undefined;
      }
    }

    _startInit() {
      this._ready = false;
      this._started = Date.now();
      clearInterval(this._timer);
      const send = () => {
        if (this._ready) return clearInterval(this._timer);
        if (Date.now() - this._started > GIVE_UP_AFTER_MS) {
          clearInterval(this._timer);
          this._emit('error', { code: 'no-answer', message: 'the configurator did not answer; is this origin registered for the partner?' });
          return;
        }
        this._send('init', { partner: this.getAttribute('partner'), locale: this._locale || this.getAttribute('locale') || undefined, theme: this._accepted || this._theme() });
      };
      send();
      this._timer = setInterval(send, INIT_EVERY_MS);
    }

    _send(type, fields) {
      const target = this._frame && this._frame.contentWindow;
      if (!target) return;
      target.postMessage(Object.assign({ protocol: PROTOCOL, version: VERSION, type }, fields), this.portal);
    }

    _post(type, fields) {
      if (!this._ready && this._wasReady) {
        // A new page in the frame is starting; at most a few calls wait for it.
        if (this._waiting.length < 16) this._waiting.push([type, fields]);
        return;
      }
      if (!this._ready) {
        this._emit('error', { code: 'not-ready', message: `${type} before the configurator is ready` });
        return;
      }
      this._send(type, fields);
    }

    _onMessage(event) {
      // Only the portal's own origin, only from this element's frame.
      if (!this._frame || event.origin !== this.portal || event.source !== this._frame.contentWindow) return;
      const m = event.data;
      if (!m || typeof m !== 'object' || m.protocol !== PROTOCOL || m.version !== VERSION) return;
      if (!EVENTS.includes(m.type)) return;
      const { protocol, version, type, ...detail } = m;
      if (type === 'ready') {
        this._ready = true;
        this._wasReady = true;
        clearInterval(this._timer);
        for (const [t, f] of this._waiting.splice(0)) this._send(t, f);
      }
      if (type === 'theme') {
        if (!detail.theme || typeof detail.theme !== 'object') return;
        this._accepted = detail.theme;
      }
      if (type === 'resize') {
        const h = Number(detail.height);
        if (!Number.isFinite(h) || h <= 0) return;
        this._frame.style.height = `${Math.min(Math.ceil(h), 100000)}px`;
      }
      this._emit(type, detail);
    }

    _emit(type, detail) {
      this.dispatchEvent(new CustomEvent(`tailor-${type}`, { detail, bubbles: true, composed: true }));
    }
  }

  customElements.define('tailor-configurator', TailorConfigurator);
})();
