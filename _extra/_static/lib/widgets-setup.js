// Runs on pages with widgets, after RequireJS and before the widget manager.
(function () {
  var lib = document.currentScript.src;
  // The widget manager derives its font URLs from its AMD module path: point the
  // "@jupyter-widgets" modules at the folder that holds the manager and its fonts.
  var manager = new URL("html-manager-1.0.15", lib).href;
  require.config({
    paths: {
      "@jupyter-widgets": manager,
      "@jupyter-widgets/html-manager/dist": manager,
      // The book's explorers are anywidgets: the manager asks RequireJS for the module
      // "anywidget", which then runs each explorer's own JavaScript, saved in the page.
      anywidget: new URL("anywidget-0.11.0/index", lib).href,
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
