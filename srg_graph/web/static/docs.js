// The API documentation (/docs): Swagger UI on the server's own OpenAPI description.
// swagger-ui-bundle.js comes from the server too (/static/swagger-ui/, the files of the
// fastapi-offline package), and there is no inline code: the page's CSP allows only this
// server's scripts, and nothing is asked of another host.
"use strict";

(function () {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    deepLinking: false, // a link to the operation inside its button: nested controls (axe)
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // the validity badge would ask validator.swagger.io
    syntaxHighlight: false, // examples in plain text: no theme's colours reach AA contrast
  });

  // What Swagger UI leaves unnamed, named as the operations open: a control in a parameter's
  // row (a select of values, an item of an array) takes the parameter's name, one of a request
  // body (a file) the section's title; the "Send empty value" checkbox, inside its label,
  // loses the label's `for`, an id that every such label shares.
  const ROWS = "tr[data-param-name], tr[data-property-name]";
  const BODY = ".opblock-section-request-body";
  function nameOf(control) {
    const row = control.closest(ROWS);
    if (row) return row.dataset.paramName || row.dataset.propertyName;
    const title = control.closest(BODY).querySelector(".opblock-section-header h4");
    return title ? title.textContent : "Request body";
  }
  function nameControls() {
    const unnamed = ":is(select, input, textarea):not([aria-label])";
    root.querySelectorAll(`:is(${ROWS}, ${BODY}) ${unnamed}`).forEach((control) => {
      if (!control.labels || !control.labels.length) {
        control.setAttribute("aria-label", nameOf(control));
      }
    });
    root.querySelectorAll("label[for='include_empty_value']").forEach((label) => {
      label.removeAttribute("for");
    });
  }
  new MutationObserver(nameControls).observe(root, { childList: true, subtree: true });
})();
