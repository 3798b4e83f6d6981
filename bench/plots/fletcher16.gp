# Fletcher-16: executed instructions vs input size, per mode (log-log).
# gnuplot -e "datadir='...'; outdir='...'" fletcher16.gp
set terminal pngcairo noenhanced size 800,500 font ",10"
set output outdir."/fletcher16.png"
set title "Fletcher-16 on Cortex-M4 (QEMU -icount): executed instructions"
set xlabel "input bytes"
set ylabel "instructions"
set logscale xy
set xrange [60:3500]
set xtics (80, 160, 320, 640, 1280, 2560)
set key top left
set grid
if (hasjit) {
  plot datadir."/fletcher16.dat" using 1:2 with linespoints title "native (gcc -O2)", \
       "" using 1:3 with linespoints title "interpreter", \
       "" using 1:4 with linespoints title "JIT (run)"
} else {
  plot datadir."/fletcher16.dat" using 1:2 with linespoints title "native (gcc -O2)", \
       "" using 1:3 with linespoints title "interpreter"
}
