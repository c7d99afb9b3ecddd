// Runs INSIDE the browser page (read as text and passed to page.evaluate, so that no transpiler
// helper leaks into the page): what a person would see, as numbers. For every section its id; for
// every .chart its canvases and how many colours its first canvas holds; for every <img> whether
// it decoded and how many distinct colours its pixels hold (capped at 50).
(() => {
  const distinct = (data) => {
    const seen = new Set();
    for (let i = 0; i < data.length && seen.size < 50; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  };
  const charts = [...document.querySelectorAll('.chart')].map((el) => {
    const canvases = [...el.querySelectorAll('canvas')];
    const cv = canvases[0];
    const px = cv ? cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data : new Uint8ClampedArray(0);
    return { id: el.id, canvases: canvases.length, distinctPixels: distinct(px) };
  });
  const images = [...document.querySelectorAll('img')].map((img) => {
    if (!(img.complete && img.naturalWidth > 0)) return { alt: img.alt, width: 0, distinctValues: 0 };
    const cv = document.createElement('canvas');
    cv.width = img.naturalWidth;
    cv.height = img.naturalHeight;
    const ctx = cv.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return { alt: img.alt, width: img.naturalWidth, distinctValues: distinct(ctx.getImageData(0, 0, cv.width, cv.height).data) };
  });
  return { sections: [...document.querySelectorAll('section')].map((s) => s.id), charts, chartsDrawn: document.body.dataset.chartsDrawn, images };
})()
