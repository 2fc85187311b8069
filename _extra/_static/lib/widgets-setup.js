// Runs on pages with widgets, after RequireJS and before the widget manager.
(function () {
  // The widget manager derives its font URLs from its AMD module path: point the
  // "@jupyter-widgets" modules at the folder that holds the manager and its fonts.
  var manager = new URL("html-manager-1.0.15", document.currentScript.src).href;
  require.config({
    paths: {
      "@jupyter-widgets": manager,
      "@jupyter-widgets/html-manager/dist": manager,
    },
  });
  // ipywidgets typesets with MathJax 2's Hub.Queue; this site loads MathJax 3.
  function mathjaxShim() {
    var mj = window.MathJax;
    if (mj && mj.typesetPromise && !mj.Hub) {
      mj.Hub = {
        Queue: function (job) {
          var element = job && job[2];
          mj.typesetPromise(element ? [element] : undefined).catch(function () {});
        },
      };
    }
  }
  document.addEventListener("DOMContentLoaded", mathjaxShim);
  window.addEventListener("load", mathjaxShim);
})();
