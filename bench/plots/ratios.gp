# Interpreter and JIT instructions relative to native C, per workload.
# gnuplot -e "datadir='...'; outdir='...'" ratios.gp
set terminal pngcairo noenhanced size 900,500 font ",10"
set output outdir."/ratios.png"
set title "Executed instructions relative to native C (1 = native)"
set ylabel "ratio to native (log)"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35
set key top right
set grid ytics
set yrange [0.5:*]
if (hasjit) {
  plot datadir."/ratios.dat" using 2:xtic(1) title "interpreter", "" using 3 title "JIT"
} else {
  plot datadir."/ratios.dat" using 2:xtic(1) title "interpreter"
}
