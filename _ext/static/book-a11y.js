// Accessibility fixes for what the page's widgets and formulas draw (every page of the book).
//
// The widget manager (ipywidgets 8) draws sliders, icon buttons and images that a screen reader
// cannot name; the book's widgets give each a text (a description label or a tooltip), and this
// script passes it on: slider handles get the label as their name and the readout as their value
// text, icon-only buttons a name, unlabelled inputs their tooltip, widget images their tooltip as
// alt text. Tables and other boxes that scroll sideways become focusable regions, and display
// formulas wider than the column are scaled down to fit it. All of it reruns whenever a widget
// redraws. Two buttons of the theme get names that match their words (fixTheme).
(function () {
  "use strict";

  var ICON_NAMES = {
    play: "Play", pause: "Pause", stop: "Stop", retweet: "Repeat", repeat: "Repeat", refresh: "Refresh",
    "step-forward": "Next", "step-backward": "Previous", forward: "Forward", backward: "Back",
    "fast-forward": "Fast forward", undo: "Undo", search: "Search", random: "Shuffle", check: "Check",
  };

  function text(el) {
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function named(el) {
    if ((el.getAttribute("aria-label") || "").trim() || el.getAttribute("aria-labelledby")) return true;
    if (el.labels) {
      for (var i = 0; i < el.labels.length; i++) {
        if (text(el.labels[i]) && getComputedStyle(el.labels[i]).display !== "none") return true;
      }
    }
    return false;
  }

  // The text a widget gives a control: its description label, else its tooltip.
  function widgetName(control) {
    var widget = control.closest(".widget-inline-hbox, .widget-inline-vbox, .widget-box, .jupyter-widgets");
    if (!widget) return "";
    var label = widget.querySelector(":scope > .widget-label, :scope > label");
    return text(label) || (label && label.title) || widget.title || "";
  }

  function setIfChanged(el, name, value) {
    if (value && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function fixSliders(root) {
    root.querySelectorAll(".noUi-handle[role='slider']").forEach(function (handle) {
      var widget = handle.closest(".widget-slider, .widget-inline-hbox, .jupyter-widgets");
      var name = widgetName(handle);
      if (!named(handle)) setIfChanged(handle, "aria-label", name);
      var readout = widget && widget.querySelector(".widget-readout");
      var shown = text(readout);
      if (!shown || (readout && getComputedStyle(readout).display === "none")) {
        // No readout: the value, without float noise ("-9.999999999999996" is "-10").
        var now = Number(handle.getAttribute("aria-valuenow"));
        shown = Number.isFinite(now) ? String(Number(now.toPrecision(10))) : "";
      }
      setIfChanged(handle, "aria-valuetext", shown);
      if (readout && readout.isContentEditable) setIfChanged(readout, "aria-label", (name ? name + ", " : "") + "value (editable)");
      if (readout && readout.isContentEditable) setIfChanged(readout, "role", "textbox");
    });
  }

  function fixButtons(root) {
    root.querySelectorAll(".jupyter-widgets button, button.jupyter-button").forEach(function (button) {
      if (text(button) || named(button)) return;
      var name = button.title;
      var icon = button.querySelector("i[class*='fa-'], svg[data-icon]");
      if (!name && icon) {
        var match = icon.getAttribute("data-icon") || (icon.className.baseVal !== undefined ? icon.className.baseVal : icon.className).replace(/.*\bfa-(?!fw\b)([a-z-]+).*/, "$1");
        name = ICON_NAMES[match] || match.replace(/-/g, " ");
      }
      var widget = widgetName(button);
      if (name) button.setAttribute("aria-label", widget && button.closest(".widget-play") ? name + " (" + widget + ")" : name);
    });
  }

  function fixInputs(root) {
    root.querySelectorAll(".jupyter-widgets input:not([type='hidden']), .jupyter-widgets select, .jupyter-widgets textarea").forEach(function (input) {
      if (!named(input)) setIfChanged(input, "aria-label", widgetName(input));
    });
  }

  function fixImages(root) {
    root.querySelectorAll("img.widget-image").forEach(function (img) {
      // ipywidgets writes an image widget's tooltip as its title: make it the alt text.
      if (img.title) {
        img.setAttribute("alt", img.title);
        img.removeAttribute("title");
      }
    });
  }

  // A box that scrolls sideways must be reachable by keyboard (and say what it is).
  function fixScrollers(root) {
    root.querySelectorAll(".dlx-table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "table, scrolls sideways");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  // Display formulas wider than the column shrink to fit it (MathJax 3 does not break lines).
  function fitFormulas(root) {
    root.querySelectorAll("mjx-container[display='true'], mjx-container[display]").forEach(function (math) {
      var base = math.dataset.fitBase;
      if (base === undefined) {
        base = math.style.fontSize || "";
        math.dataset.fitBase = base;
      }
      math.style.fontSize = base;
      var room = math.clientWidth, needed = math.scrollWidth;
      if (!room || needed <= room + 1) return;
      var size = parseFloat(getComputedStyle(math).fontSize);
      math.style.fontSize = Math.max(size * (room / needed) * 0.98, 6).toFixed(2) + "px";
    });
  }

  // Two of the theme's buttons are named with words other than those they show (axe's
  // label-content-name-mismatch): the search field shows "Search Ctrl+K" under the name
  // "Search", the colour-mode button shows its icon's title ("Light") under the name "Color mode".
  function fixTheme() {
    document.querySelectorAll(".search-button-field[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
    });
    // The button shows the icon of the current mode, titled "Light", "Dark" or "System Settings":
    // its name says the mode too, and follows it.
    var words = { light: "Light", dark: "Dark", auto: "System Settings" };
    function nameModeButtons() {
      var word = words[document.documentElement.dataset.mode] || words.auto;
      document.querySelectorAll(".theme-switch-button").forEach(function (button) {
        setIfChanged(button, "aria-label", "Color mode: " + word);
      });
    }
    nameModeButtons();
    new MutationObserver(nameModeButtons).observe(document.documentElement, { attributes: true, attributeFilter: ["data-mode"] });
  }

  function fixAll() {
    var root = document.querySelector("article") || document.body;
    fixSliders(root);
    fixButtons(root);
    fixInputs(root);
    fixImages(root);
    fixScrollers(root);
  }

  var pending = null;
  function soon() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      fixAll();
    }, 50);
  }

  function whenMathIsTypeset(work) {
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(work);
    else setTimeout(function () { whenMathIsTypeset(work); }, 200);
  }

  function start() {
    var root = document.querySelector("article") || document.body;
    fixTheme();
    fixAll();
    new MutationObserver(soon).observe(root, {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ["title", "aria-valuenow", "aria-valuetext"],
    });
    var resized = null;
    window.addEventListener("resize", function () {
      clearTimeout(resized);
      resized = setTimeout(function () {
        fitFormulas(root);
        fixScrollers(root);
      }, 150);
    });
    whenMathIsTypeset(function () { fitFormulas(root); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
