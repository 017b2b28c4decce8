/*
 * The report's topics: a list of checkboxes with “Choose or create a topic” below it (cms/widgets.py).
 *
 * The button opens the modal of Wagtail's topic chooser (the hidden chooser rendered with the list) in its
 * “choose several” mode, in the page's language (Wagtail adds it to the modal's address). What comes back, a
 * list of chosen topics or the one just created on the “Create” tab, is ticked in the list; a topic the list
 * does not show yet (a new one) is added to it, ticked.
 */
(() => {
  const chooserOf = (container) => {
    const element = document.getElementById(`${container.dataset.cmsTopicsChooser}-chooser`);
    // Wagtail's chooser script puts its widget object on the chooser's element; the modal class and the
    // chooser's address are read from it.
    const chooser = element && element.widget;
    if (!chooser || typeof chooser.chooserModalClass !== 'function' || !element.dataset.chooserUrl) {
      throw new Error('cms/widgets/topics.js: Wagtail\'s chooser widget no longer exposes its modal; topics cannot be chosen');
    }
    return chooser;
  };

  const tick = (container, topic, title) => {
    const list = document.getElementById(container.dataset.cmsTopicsList);
    const name = container.dataset.cmsTopicsName;
    const inputs = [...list.querySelectorAll('input[type=checkbox]')];
    let input = inputs.find((candidate) => candidate.value === String(topic.id));
    if (!input) {
      // The markup of Django's checkbox list: <div><label for=…><input …> Title</label></div>.
      input = document.createElement('input');
      input.type = 'checkbox';
      input.name = name;
      input.value = String(topic.id);
      input.id = `${list.id}_new_${topic.id}`;
      const label = document.createElement('label');
      label.htmlFor = input.id;
      label.append(input, ` ${title}`);
      const row = document.createElement('div');
      row.append(label);
      list.append(row);
    }
    if (!input.checked) {
      input.checked = true;
      // The editor's “unsaved changes” watch and anything else listening learn of it as of a click.
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
  };

  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-cms-topics] [data-cms-topics-choose]');
    if (!button) return;
    const container = button.closest('[data-cms-topics]');
    const chooser = chooserOf(container);
    const url = document.getElementById(`${container.dataset.cmsTopicsChooser}-chooser`).dataset.chooserUrl;
    // eslint-disable-next-line new-cap
    const modal = new chooser.chooserModalClass(url);
    modal.open({ multiple: true }, (result) => {
      // Several chosen come as a list; one created on the “Create” tab comes alone.
      [].concat(result).forEach((topic) => tick(container, topic, topic[chooser.titleStateKey]));
    });
  });
})();
