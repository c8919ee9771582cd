// Draws each chart from the Plotly figure embedded in its data-figure attribute,
// and applies the language switch as soon as a language is picked.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var fig = JSON.parse(el.getAttribute("data-figure"));
      var layout = fig.layout || {};
      layout.autosize = true;
      Plotly.newPlot(el, fig.data || [], layout, {
        displaylogo: false,
        responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "toggleSpikelines"]
      }).then(function () { el.setAttribute("data-drawn", "1"); });
    });
  }
  var select = document.getElementById("lang-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
