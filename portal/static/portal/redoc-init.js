// Starts Redoc on the API reference page. The styles Redoc injects carry the nonce this script was given, the only
// inline styles the page's Content-Security-Policy allows (portal/urls_api.py adds the nonce for this view alone).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  // Redoc's menu shows a logo from its CDN, which the policy refuses (nothing from another origin): ours instead.
  function local(value) {
    return String(value).indexOf("https://cdn.redoc.ly/") === 0 ? container.dataset.logoUrl : value;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, this instanceof HTMLImageElement && name === "src" ? local(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    get: src.get,
    set: function (value) { src.set.call(this, local(value)); },
  });
  window.Redoc.init(container.dataset.specUrl, { nonce: document.currentScript.nonce }, container);
})();
