/*
 * Tab error badges that count the errors inside StreamField blocks.
 *
 * Each tab's label carries a badge (Wagtail's `w-count` controller) that counts the error messages in its tab
 * once, when it connects. StreamField blocks are drawn by script after that, so the errors of blocks were not
 * counted: a tab showed no badge while a block in it kept the page from being saved. (Inline panels, sessions or
 * organisers, are drawn by the server and were counted.) Here the badges count again whenever an error message
 * appears in or leaves the form, at most once per frame.
 */
(() => {
  const BADGES = '.w-tabs__errors[data-controller~="w-count"]';
  // What Wagtail's badge counts (its `find` value), without the `:not([hidden])` it adds when counting.
  const ERRORS = '.error-message, .help-critical';
  let scheduled = false;

  const recount = () => {
    scheduled = false;
    const app = window.wagtail && window.wagtail.app;
    if (!app || typeof app.getControllerForElementAndIdentifier !== 'function') {
      // Wagtail's Stimulus application is where the badges live; without it they cannot be asked to count.
      throw new Error('cms/editor/tab-errors.js: window.wagtail.app is missing, tab badges miss block errors');
    }
    document.querySelectorAll(BADGES).forEach((badge) => {
      const counter = app.getControllerForElementAndIdentifier(badge, 'w-count');
      // A badge not connected yet counts for itself when it connects.
      if (counter) counter.count();
    });
  };

  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(recount);
    }
  };

  const isError = (node) =>
    node.nodeType === Node.ELEMENT_NODE && (node.matches(ERRORS) || node.querySelector(ERRORS) !== null);

  const watch = () => {
    const form = document.querySelector('form[data-edit-form]');
    if (!form || !document.querySelector(BADGES)) return; // an editor without tabs has no badges to correct
    new MutationObserver((mutations) => {
      if (mutations.some((m) => [...m.addedNodes, ...m.removedNodes].some(isError))) schedule();
    }).observe(form, { childList: true, subtree: true });
    // Blocks drawn before the observer started (Wagtail draws them as the page's controllers connect).
    schedule();
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', watch);
  } else {
    watch();
  }
})();
